"""A resource's publisher in Chinese beside the English one (``publisher_zh``).

A publisher written only in Chinese (生态环境部办公厅) was shown as such on English pages
and read as an English name by search; such a value moves to ``publisher_zh`` (pages in
either language still show it until someone gives the English name). The
records' search documents follow as in 0008 (``records_rewritten``).
"""

from django.db import migrations, models


def move_chinese_publishers(apps, schema_editor):
    from ecotone.core.bilingual import only_chinese
    from ecotone.core.signals import records_rewritten

    resource = apps.get_model("catalog", "Resource")
    rows = resource.objects.using(schema_editor.connection.alias).exclude(publisher="")
    moved = []
    for pk, publisher in rows.values_list("pk", "publisher").iterator(chunk_size=2000):
        if only_chinese(publisher):
            rows.filter(pk=pk).update(publisher="", publisher_zh=publisher)
            moved.append(pk)
    if moved:
        records_rewritten.send(sender="catalog.Resource", pks=moved)


def move_them_back(apps, schema_editor):
    resource = apps.get_model("catalog", "Resource")
    rows = resource.objects.using(schema_editor.connection.alias)
    for pk, chinese in rows.filter(publisher="").exclude(publisher_zh="").values_list(
        "pk", "publisher_zh"
    ):
        rows.filter(pk=pk).update(publisher=chinese)


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
