from django.db import migrations


def seed(apps, schema_editor):
    from ecotone.catalog.taxonomy import seed_sectors

    seed_sectors(apps.get_model("catalog", "Sector"))


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
