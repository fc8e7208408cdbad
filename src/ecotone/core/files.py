"""Files the site writes for later readers (built reports, open-data files, caches)."""

import uuid
from pathlib import Path


def write_atomically(path: Path, content: str | bytes) -> Path:
    """Write under a temporary name, then rename: a reader never sees half a file."""
    # a name of its own per writer: two processes building the same file never mix
    partial = path.with_name(f"{path.name}.{uuid.uuid4().hex[:8]}.part")
    if isinstance(content, str):
        partial.write_text(content, encoding="utf-8")
    else:
        partial.write_bytes(content)
    partial.replace(path)
    return path
