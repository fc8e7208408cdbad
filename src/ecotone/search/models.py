"""The vector cache: an embedded text is never embedded again by the same model."""

from django.db import models


class Embedding(models.Model):
    """One passage vector, keyed by the embedder's space and a digest of the exact text.

    Shared by both backends and kept across index rebuilds; ``ecotone index embeddings
    export|load`` moves it between machines (the demo data ships one)."""

    space = models.CharField(max_length=80)
    digest = models.CharField(max_length=64)  #: sha256 of the passage text
    vector = models.BinaryField()  #: float32 bytes, L2-normalised

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["space", "digest"], name="embedding_unique_text")
        ]

    def __str__(self) -> str:
        return f"{self.space}:{self.digest[:12]}"
