"""Matchmaking done ahead of the pages that show it (run by the worker, or at once in tests).

A need's matches read its leading candidates sentence by sentence (``coverage``); the first
time a candidate is read, its sentences are embedded (about 3 s of CPU for a need's thirty
candidates, most of it e5), and after that the vectors are cached. A need saved or imported
is therefore ranked in the background at once, so its page opens without that wait."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django_tasks import task

from ecotone.catalog.models import Need

SAVE_RECEIVER = "ecotone.matching:need-saved"
IMPORT_RECEIVER = "ecotone.matching:needs-imported"


#: after the index updates queued with it (priority 0): the need's own update changes the
#: catalogue version, which would set the ranked figure aside again
@task(priority=-10)
def read_need_matches_task(need_ids: list[int]) -> int:
    """Rank needs' matches ahead of their pages"""
    from .ranking import NEED_PAGE_MATCHES, cached_need_matches

    needs = list(Need.objects.filter(pk__in=need_ids))
    for need in needs:
        for language, _ in settings.LANGUAGES:  # the page's figure is kept per language
            with translation.override(language):
                cached_need_matches(need, NEED_PAGE_MATCHES)
    return len(needs)


def read_matches_later(need_ids: Iterable[int]) -> None:
    """Queue ``read_need_matches_task`` once the transaction commits; nothing to read ahead
    without an embedder (``ECOTONE_EMBEDDER=none``): the matches are then quick to rank."""
    ids = sorted(set(need_ids))
    if ids and settings.ECOTONE_EMBEDDER != "none":
        transaction.on_commit(lambda: read_need_matches_task.enqueue(ids), robust=True)


def on_need_saved(sender, instance: Need, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        read_matches_later([instance.pk])


def on_needs_imported(sender, pks: Iterable[int], **kwargs: Any) -> None:
    if sender is Need:
        read_matches_later(pks)
