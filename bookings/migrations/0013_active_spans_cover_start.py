"""The active bookings' index by (machine, end) also carries their start (PostgreSQL; elsewhere
the same index as before), so that the network search reads each machine's spans from the index
alone."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('bookings', '0012_search_time_functions'),
        ('platforms', '0005_text_without_control_characters'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='booking',
            name='booking_active_machine_end',
        ),
        migrations.AddIndex(
            model_name='booking',
            index=models.Index(condition=models.Q(('status__in', ['pending', 'confirmed'])), fields=['machine', 'end'], include=('start',), name='booking_active_machine_end'),
        ),
    ]
