"""A resource's publisher in Chinese beside the English one (``publisher_zh``).

A publisher written only in Chinese (生态环境部办公厅) was shown as such on English pages
and read as an English name by search; such a value moves to ``publisher_zh`` (pages in
either language still show it until someone gives the English name). The
records' search documents follow as in 0008 (``records_rewritten``).
"""

from django.db import migrations, models
from django.db.models import F


BATCH = 900  #: keys per IN (...) list, under SQLite's old limit of 999 parameters


def move_chinese_publishers(apps, schema_editor):
    from ecotone.core.bilingual import only_chinese
    from ecotone.core.signals import records_rewritten

    resource = apps.get_model("catalog", "Resource")
    rows = resource.objects.using(schema_editor.connection.alias)
    named = rows.exclude(publisher="").values_list("pk", "publisher").iterator(chunk_size=2000)
    moved = [pk for pk, publisher in named if only_chinese(publisher)]
    for start in range(0, len(moved), BATCH):
        batch = rows.filter(pk__in=moved[start : start + BATCH])
        batch.update(publisher_zh=F("publisher"), publisher="")  # both read the old row
    if moved:
        records_rewritten.send(sender="catalog.Resource", pks=moved)


def move_them_back(apps, schema_editor):
    resource = apps.get_model("catalog", "Resource")
    rows = resource.objects.using(schema_editor.connection.alias)
    rows.filter(publisher="").exclude(publisher_zh="").update(publisher=F("publisher_zh"))


class Migration(migrations.Migration):
    dependencies = [("catalog", "0009_resource_jurisdiction")]

    operations = [
        migrations.AddField(
            model_name="resource",
            name="publisher_zh",
            field=models.CharField(
                blank=True, max_length=300, verbose_name="publisher (Chinese)"
            ),
        ),
        migrations.RunPython(move_chinese_publishers, move_them_back),
    ]
