from django.db import migrations, models

import platforms.feeds


def fill_tokens(apps, schema_editor):
    Machine = apps.get_model("platforms", "Machine")
    for machine in Machine.objects.filter(ical_token__isnull=True).only("pk"):
        Machine.objects.filter(pk=machine.pk).update(ical_token=platforms.feeds.new_feed_token())


class Migration(migrations.Migration):
    dependencies = [("platforms", "0002_closures_qualifications")]

    # Existing rows each need their own secret: add the column empty, fill it, then make it
    # unique and required.
    operations = [
        migrations.AddField(
            model_name="machine",
            name="ical_token",
            field=models.CharField(max_length=64, null=True, editable=False),
        ),
        migrations.RunPython(fill_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="machine",
            name="ical_token",
            field=models.CharField(
                default=platforms.feeds.new_feed_token,
                editable=False,
                max_length=64,
                unique=True,
                verbose_name="iCal feed token",
            ),
        ),
    ]
