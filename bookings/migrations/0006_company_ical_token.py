from django.db import migrations, models

import platforms.feeds


def fill_tokens(apps, schema_editor):
    Company = apps.get_model("bookings", "Company")
    for company in Company.objects.filter(ical_token__isnull=True).only("pk"):
        Company.objects.filter(pk=company.pk).update(ical_token=platforms.feeds.new_feed_token())


class Migration(migrations.Migration):
    dependencies = [("bookings", "0005_booking_active_machine_end_index")]

    # Existing rows each need their own secret: add the column empty, fill it, then make it
    # unique and required.
    operations = [
        migrations.AddField(
            model_name="company",
            name="ical_token",
            field=models.CharField(max_length=64, null=True, editable=False),
        ),
        migrations.RunPython(fill_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="company",
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
