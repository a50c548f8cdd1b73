"""PostgreSQL only: the database itself refuses two overlapping active bookings of a machine.

On SQLite (the embedded default) this migration does nothing: there the IMMEDIATE transaction
serialises writers and the booking service checks inside it.
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

CREATE = """
ALTER TABLE bookings_booking
ADD CONSTRAINT booking_no_overlap
EXCLUDE USING gist (
    machine_id WITH =,
    tstzrange("start", "end", '[)') WITH &&
) WHERE (status IN ('pending', 'confirmed'))
"""
DROP = "ALTER TABLE bookings_booking DROP CONSTRAINT IF EXISTS booking_no_overlap"


def _on_postgresql(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("bookings", "0002_initial")]

    operations = [
        # A no-op outside PostgreSQL.
        BtreeGistExtension(),
        migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP)),
    ]
