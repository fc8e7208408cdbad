"""Empty every Chinese field that only repeats its English field (``ecotone.core.bilingual``).

Databases loaded before the rule held such copies (1,118 in the demo set: CCUS facility
names the source never translated). The records' search documents follow by themselves:
this migration names the records it changed (``records_rewritten``) and the search app
re-indexes them in a background task once ``migrate`` has finished (the task worker that
``ecotone serve`` starts runs it). Without a worker, ``ecotone index rebuild`` does the same.
"""

from django.db import migrations

#: every catalogue model with English/Chinese pairs; sectors are the curated taxonomy
MODELS = (
    "Organisation",
    "InvestorProfile",
    "Person",
    "Affiliation",
    "Solution",
    "Case",
    "Need",
    "Resource",
    "Event",
    "EventSession",
    "Award",
)
BATCH = 900  #: keys per IN (...) list, under SQLite's old limit of 999 parameters


def empty_copies(apps, schema_editor):
    from ecotone.core.bilingual import ChineseText, bilingual_pairs, judge_chinese
    from ecotone.core.signals import records_rewritten

    using = schema_editor.connection.alias
    for name in MODELS:
        model = apps.get_model("catalog", name)
        pairs = bilingual_pairs([field.name for field in model._meta.concrete_fields])
        columns = sorted({column for pair in pairs for column in pair})
        copies: dict[str, list[int]] = {}
        for row in model.objects.using(using).values("pk", *columns).iterator(chunk_size=2000):
            for english, chinese in pairs:
                if judge_chinese(row[chinese], row[english]) is ChineseText.COPY:
                    copies.setdefault(chinese, []).append(row["pk"])
        for chinese, pks in copies.items():
            for start in range(0, len(pks), BATCH):
                batch = pks[start : start + BATCH]
                model.objects.using(using).filter(pk__in=batch).update(**{chinese: ""})
        changed = sorted({pk for pks in copies.values() for pk in pks})
        if changed:
            records_rewritten.send(sender=f"catalog.{name}", pks=changed)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0007_solution_price")]

    # Nothing to undo: a copy of the English text carries nothing to restore.
    operations = [migrations.RunPython(empty_copies, migrations.RunPython.noop)]
