"""Signals one bounded context sends for others to act on (catalogue → search).

Catalogue bulk imports write without ``post_save``; ``records_imported`` tells listeners which
records an import created or changed, once the import's transaction has committed.
"""

from django.dispatch import Signal

#: sender: the model; kwargs: ``pks`` (list of primary keys created or changed)
records_imported = Signal()

#: sender: the model's label (``"catalog.Case"``); kwargs: ``pks``. Sent by a data migration
#: that rewrote records with ``update()`` (no ``post_save``). Listeners must wait for
#: ``post_migrate`` before reading those records: only then do the models match the tables.
records_rewritten = Signal()
