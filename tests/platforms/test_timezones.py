from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from platforms.exceptions import InvalidLocalTime
from platforms.timezones import aware_lenient, aware_strict, local_dates

PARIS = ZoneInfo("Europe/Paris")


def test_a_naive_time_is_read_in_the_platform_zone_and_stored_in_utc():
    assert aware_strict(datetime(2027, 7, 1, 10), PARIS) == datetime(2027, 7, 1, 8, tzinfo=UTC)
    assert aware_strict(datetime(2027, 7, 1, 10), PARIS).tzinfo is UTC


@pytest.mark.parametrize(
    "naive",
    [datetime(2027, 3, 28, 2, 0), datetime(2027, 3, 28, 2, 59), datetime(2027, 10, 31, 2, 0)],
)
def test_skipped_and_repeated_times_are_refused(naive):
    with pytest.raises(InvalidLocalTime):
        aware_strict(naive, PARIS)


def test_an_aware_time_is_an_instant_whatever_its_wall_clock():
    instant = datetime(2027, 10, 31, 2, 30, fold=1, tzinfo=PARIS)

    assert aware_strict(instant, PARIS) == datetime(2027, 10, 31, 1, 30, tzinfo=UTC)


def test_schedules_move_a_time_in_the_spring_gap_forward():
    assert aware_lenient(date(2027, 3, 28), time(2, 30), PARIS) == datetime(
        2027, 3, 28, 1, 30, tzinfo=UTC
    )  # 03:30 summer time


def test_local_dates_of_a_half_open_interval():
    start = datetime(2027, 1, 5, 23, tzinfo=UTC)  # Wednesday 00:00 in Paris
    end = datetime(2027, 1, 6, 23, tzinfo=UTC)  # Thursday 00:00, excluded

    assert local_dates(start, end, PARIS) == [date(2027, 1, 6)]
