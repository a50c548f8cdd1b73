"""PostgreSQL only: two functions that let the network search compute free slots in SQL
exactly as ``platforms.timezones.aware_lenient`` and ``availability._align`` do in Python.

``fablab_local_instant(wall, tz)``: the instant of a wall-clock time in ``tz``. PostgreSQL reads
a time in the spring gap with the offset before the change, as Python does, but an ambiguous
autumn time as its *second* occurrence, where Python (fold=0) takes the first: the first is
taken when the instant an hour (or half an hour, for the zones that move by that) earlier
reads the same on the wall clock.

``fablab_align(moment, tz, slot, up)``: ``moment`` rounded up or down to the slot grid counted
in wall-clock minutes from local midnight; a moment past the minute rounds up from the next.

Both are plain SQL, so the planner inlines them. On SQLite this migration does nothing.
"""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION fablab_local_instant(wall timestamp, tz text)
RETURNS timestamptz LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN ((wall AT TIME ZONE tz) - interval '1 hour') AT TIME ZONE tz = wall
            THEN (wall AT TIME ZONE tz) - interval '1 hour'
        WHEN ((wall AT TIME ZONE tz) - interval '30 minutes') AT TIME ZONE tz = wall
            THEN (wall AT TIME ZONE tz) - interval '30 minutes'
        ELSE wall AT TIME ZONE tz
    END
$$;

CREATE OR REPLACE FUNCTION fablab_align(moment timestamptz, tz text, slot integer, up boolean)
RETURNS timestamptz LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT fablab_local_instant(
        date_trunc('day', moment AT TIME ZONE tz)
        + make_interval(mins => CASE
            WHEN up THEN (
                (
                    (extract(hour FROM moment AT TIME ZONE tz) * 60
                     + extract(minute FROM moment AT TIME ZONE tz))::integer
                    + CASE WHEN date_trunc('minute', moment) <> moment THEN 1 ELSE 0 END
                    + slot - 1
                ) / slot
            ) * slot
            ELSE (
                (extract(hour FROM moment AT TIME ZONE tz) * 60
                 + extract(minute FROM moment AT TIME ZONE tz))::integer / slot
            ) * slot
        END),
        tz
    )
$$;
"""
DROP = """
DROP FUNCTION IF EXISTS fablab_align(timestamptz, text, integer, boolean);
DROP FUNCTION IF EXISTS fablab_local_instant(timestamp, text);
"""


def _on_postgresql(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("bookings", "0011_text_without_control_characters")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
