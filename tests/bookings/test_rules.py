"""Qualifications, weekly quotas, daily limits, series, approval, moves, usage, no-shows,
internal blocks."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine

from accounts.models import AuditEntry
from bookings import exceptions as exc
from bookings.models import Booking, BookingKind, BookingStatus
from bookings.services import (
    booking_approve,
    booking_block,
    booking_cancel,
    booking_create,
    booking_create_series,
    booking_move,
    booking_reject,
    no_shows_mark,
    usage_record,
)
from platforms.exceptions import QualificationNotAllowed
from platforms.models import QualificationStatus
from platforms.services import (
    closure_create,
    qualification_grant,
    qualification_refuse,
    qualification_request,
)
from tests.conftest import paris
from tests.factories import MachineFactory, PlatformFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

WED_10, WED_12 = paris(2027, 1, 6, 10), paris(2027, 1, 6, 12)


def book(machine, user, start=WED_10, end=WED_12, company=None):
    return booking_create(
        machine=machine, company=company or user.company, user=user, start=start, end=end
    )


class TestQualification:
    @pytest.fixture
    def machine(self):
        return MachineFactory(requires_qualification=True)

    @pytest.fixture
    def operator(self, machine):
        user = UserFactory()
        machine.platform.operators.add(user)
        return user

    def test_an_unqualified_member_is_refused(self, machine, member):
        with pytest.raises(exc.NotQualified):
            book(machine, member)
        assert not Booking.objects.exists()

    def test_a_member_requests_the_operator_grants_then_booking_works(
        self, machine, member, operator
    ):
        request = qualification_request(user=member, machine=machine, note="Formé chez Trotec")
        assert request.status == QualificationStatus.REQUESTED

        qualification_grant(operator=operator, user=member, machine=machine)

        assert book(machine, member).pk

    def test_an_expired_qualification_no_longer_counts(self, machine, member, operator):
        qualification_grant(
            operator=operator, user=member, machine=machine, valid_until=date(2027, 1, 5)
        )

        with pytest.raises(exc.NotQualified):
            book(machine, member)  # on 2027-01-06

    def test_a_refused_qualification_does_not_count(self, machine, member, operator):
        qualification = qualification_grant(operator=operator, user=member, machine=machine)
        qualification_refuse(operator=operator, qualification=qualification)

        with pytest.raises(exc.NotQualified):
            book(machine, member)

    def test_an_operator_of_another_platform_cannot_grant(self, machine, member):
        other = UserFactory()
        PlatformFactory().operators.add(other)

        with pytest.raises(QualificationNotAllowed):
            qualification_grant(operator=other, user=member, machine=machine)

    def test_an_operator_booking_on_behalf_is_not_asked_for_a_qualification(
        self, machine, member, operator
    ):
        assert book(machine, operator, company=member.company).pk


class TestQuota:
    @pytest.fixture
    def machine(self):
        return MachineFactory(weekly_quota_hours=Decimal("4"))

    def test_the_weekly_quota_counts_the_companys_bookings(self, machine, member, make_member):
        book(machine, member, paris(2027, 1, 6, 8), paris(2027, 1, 6, 11))  # 3 h

        with pytest.raises(exc.QuotaExceeded) as raised:
            book(machine, member, paris(2027, 1, 7, 8), paris(2027, 1, 7, 10))  # 2 more

        assert "4" in raised.value.detail and "3" in raised.value.detail
        assert book(machine, member, paris(2027, 1, 7, 8), paris(2027, 1, 7, 9)).pk  # exactly 4
        # Another company has its own quota.
        other_company_user = make_member()
        assert book(machine, other_company_user, paris(2027, 1, 8, 8), paris(2027, 1, 8, 12)).pk

    def test_the_week_is_the_platforms_local_week(self, machine, member):
        # Sunday 2027-01-10 and Monday 2027-01-11 are in different weeks in Paris, although
        # Monday 00:30 local is still Sunday in UTC.
        book(machine, member, paris(2027, 1, 10, 14), paris(2027, 1, 10, 18))  # 4 h, week 1

        platform = machine.platform
        platform.opening_hours.create(weekday=0, opens=time(0, 0), closes=time(8, 0))
        assert book(machine, member, paris(2027, 1, 11, 0, 30), paris(2027, 1, 11, 4, 30)).pk
        with pytest.raises(exc.QuotaExceeded):
            book(machine, member, paris(2027, 1, 9, 10), paris(2027, 1, 9, 11))  # week 1 again

    def test_cancelled_bookings_give_their_hours_back(self, machine, member):
        first = book(machine, member, paris(2027, 1, 6, 8), paris(2027, 1, 6, 12))
        booking_cancel(booking=first, user=member)

        assert book(machine, member, paris(2027, 1, 7, 8), paris(2027, 1, 7, 12)).pk


class TestDailyLimit:
    @pytest.fixture
    def machine(self):
        return MachineFactory(daily_quota_hours=Decimal("3"), max_minutes=600)

    def test_the_daily_limit_counts_the_companys_hours_that_local_day(
        self, machine, member, make_member
    ):
        # given: two hours booked on Wednesday
        book(machine, member, paris(2027, 1, 6, 8), paris(2027, 1, 6, 10))

        # when / then: two more that day are refused, naming the limit, the hours and the day
        with pytest.raises(exc.DailyQuotaExceeded) as raised:
            book(machine, member, paris(2027, 1, 6, 14), paris(2027, 1, 6, 16))
        assert raised.value.code == "daily_quota_exceeded"
        assert "3" in raised.value.detail and "2" in raised.value.detail
        assert "2027" in raised.value.detail
        # one more hour is exactly the limit; Thursday starts afresh; other companies too
        assert book(machine, member, paris(2027, 1, 6, 14), paris(2027, 1, 6, 15)).pk
        assert book(machine, member, paris(2027, 1, 7, 8), paris(2027, 1, 7, 11)).pk
        assert book(machine, make_member(), paris(2027, 1, 6, 16), paris(2027, 1, 6, 18)).pk

    def test_a_booking_longer_than_the_limit_is_refused_on_an_empty_day(self, machine, member):
        with pytest.raises(exc.DailyQuotaExceeded):
            book(machine, member, paris(2027, 1, 6, 8), paris(2027, 1, 6, 12))
        assert not Booking.objects.exists()

    def test_the_day_is_the_platforms_local_day_across_midnight(self, machine, member):
        # given: open all night on Wednesday into Thursday
        machine.platform.opening_hours.all().delete()
        for weekday in (2, 3):
            machine.platform.opening_hours.create(
                weekday=weekday, opens=time(0, 0), closes=time(0, 0)
            )
        book(machine, member, paris(2027, 1, 6, 20), paris(2027, 1, 6, 23))  # Wednesday: 3 h

        # when / then: 23:00–01:00 puts one more hour on Wednesday (refused) …
        with pytest.raises(exc.DailyQuotaExceeded):
            book(machine, member, paris(2027, 1, 6, 23), paris(2027, 1, 7, 1))
        # … while 00:00–03:00 is Thursday's
        assert book(machine, member, paris(2027, 1, 7, 0), paris(2027, 1, 7, 3)).pk

    def test_a_daily_series_refuses_only_the_days_already_full(self, machine, member):
        # given: Thursday already holds three hours
        book(machine, member, paris(2027, 1, 7, 8), paris(2027, 1, 7, 11))

        # when
        with pytest.raises(exc.SeriesRefused) as raised:
            booking_create_series(
                machine=machine,
                company=member.company,
                user=member,
                start=paris(2027, 1, 6, 14),
                end=paris(2027, 1, 6, 16),
                frequency="daily",
                count=3,
            )

        # then: Thursday alone is refused, for its daily limit, and nothing is booked
        assert [(c["start"], c["code"]) for c in raised.value.conflicts] == [
            (paris(2027, 1, 7, 14), "daily_quota_exceeded")
        ]
        assert Booking.objects.count() == 1

    def test_a_member_moving_into_a_full_day_is_refused_an_operator_is_not(
        self, machine, member, operator
    ):
        book(machine, member, paris(2027, 1, 6, 8), paris(2027, 1, 6, 11))  # Wednesday: 3 h
        thursday = book(machine, member, paris(2027, 1, 7, 8), paris(2027, 1, 7, 10))

        with pytest.raises(exc.DailyQuotaExceeded):
            booking_move(
                booking=thursday,
                user=member,
                start=paris(2027, 1, 6, 14),
                end=paris(2027, 1, 6, 16),
            )
        moved = booking_move(
            booking=thursday, user=operator, start=paris(2027, 1, 6, 14), end=paris(2027, 1, 6, 16)
        )
        assert moved.start == paris(2027, 1, 6, 14)

    def test_moving_within_its_own_day_does_not_count_the_booking_twice(self, machine, member):
        booking = book(machine, member, paris(2027, 1, 6, 8), paris(2027, 1, 6, 11))

        moved = booking_move(
            booking=booking, user=member, start=paris(2027, 1, 6, 12), end=paris(2027, 1, 6, 15)
        )

        assert moved.start == paris(2027, 1, 6, 12)


class TestSeries:
    def test_a_weekly_series_books_every_occurrence_with_one_series_id(self, machine, member):
        bookings = booking_create_series(
            machine=machine,
            company=member.company,
            user=member,
            start=WED_10,
            end=WED_12,
            frequency="weekly",
            count=4,
        )

        assert [b.start for b in bookings] == [WED_10 + timedelta(weeks=n) for n in range(4)]
        assert len({b.series_id for b in bookings}) == 1
        assert Booking.objects.count() == 4

    def test_a_series_is_all_or_nothing_and_lists_every_refused_date(
        self, machine, member, make_member
    ):
        rival = make_member()
        book(machine, rival, paris(2027, 1, 13, 11), paris(2027, 1, 13, 12))
        operator = UserFactory(is_staff=True)
        closure_create(
            platform=machine.platform,
            user=operator,
            title="Fermeture",
            start=paris(2027, 1, 27, 0),
            end=paris(2027, 1, 28, 0),
        )

        with pytest.raises(exc.SeriesRefused) as raised:
            booking_create_series(
                machine=machine,
                company=member.company,
                user=member,
                start=WED_10,
                end=WED_12,
                frequency="weekly",
                count=4,
            )

        conflicts = raised.value.conflicts
        assert [(c["start"], c["code"]) for c in conflicts] == [
            (paris(2027, 1, 13, 10), "slot_unavailable"),
            (paris(2027, 1, 27, 10), "closed"),
        ]
        assert Booking.objects.filter(company=member.company).count() == 0

    def test_a_weekly_series_keeps_its_local_time_across_the_dst_change(self, member):
        machine = MachineFactory(max_advance_days=365)
        with time_machine.travel(paris(2027, 3, 1, 9), tick=False):
            bookings = booking_create_series(
                machine=machine,
                company=member.company,
                user=member,
                start=datetime(2027, 3, 24, 9),
                end=datetime(2027, 3, 24, 11),
                frequency="weekly",
                count=2,
            )

        assert [b.start.astimezone(WED_10.tzinfo).hour for b in bookings] == [9, 9]

    def test_a_series_within_quota_counts_its_own_occurrences(self, member):
        machine = MachineFactory(weekly_quota_hours=Decimal("3"))

        with pytest.raises(exc.SeriesRefused) as raised:
            booking_create_series(
                machine=machine,
                company=member.company,
                user=member,
                start=WED_10,
                end=WED_12,
                frequency="daily",
                count=2,
            )

        assert [c["code"] for c in raised.value.conflicts] == ["quota_exceeded"]

    @pytest.mark.parametrize(("frequency", "count"), [("hourly", 3), ("weekly", 1), ("daily", 60)])
    def test_an_invalid_series_is_refused(self, machine, member, frequency, count):
        with pytest.raises(exc.InvalidSeries):
            booking_create_series(
                machine=machine,
                company=member.company,
                user=member,
                start=WED_10,
                end=WED_12,
                frequency=frequency,
                count=count,
            )


class TestApproval:
    @pytest.fixture
    def machine(self):
        return MachineFactory(requires_approval=True)

    @pytest.fixture
    def pending(self, machine, member):
        return book(machine, member)

    def test_an_operator_of_the_platform_approves(self, machine, pending):
        operator = UserFactory()
        machine.platform.operators.add(operator)

        booking_approve(booking=pending, user=operator)

        pending.refresh_from_db()
        assert pending.status == BookingStatus.CONFIRMED
        assert pending.decided_by == operator
        assert pending.version == 2

    def test_an_operator_rejects_with_a_reason(self, machine, pending):
        operator = UserFactory()
        machine.platform.operators.add(operator)

        booking_reject(booking=pending, user=operator, reason="Machine réservée à la formation")

        pending.refresh_from_db()
        assert pending.status == BookingStatus.REJECTED
        assert pending.rejection_reason == "Machine réservée à la formation"

    def test_an_operator_of_another_platform_cannot_approve(self, pending):
        other = UserFactory()
        PlatformFactory().operators.add(other)

        with pytest.raises(exc.NotAllowed) as raised:
            booking_approve(booking=pending, user=other)

        assert raised.value.status == 403
        pending.refresh_from_db()
        assert pending.status == BookingStatus.PENDING

    def test_an_sme_cannot_approve_its_own_booking(self, pending, member):
        with pytest.raises(exc.NotAllowed):
            booking_approve(booking=pending, user=member)

    def test_only_pending_bookings_are_decided(self, machine, pending):
        operator = UserFactory()
        machine.platform.operators.add(operator)
        booking_approve(booking=pending, user=operator)

        with pytest.raises(exc.NotPending):
            booking_reject(booking=pending, user=operator, reason="trop tard")


class TestMove:
    def test_a_member_moves_within_the_rules(self, machine, member):
        booking = book(machine, member)

        moved = booking_move(
            booking=booking, user=member, start=paris(2027, 1, 7, 14), end=paris(2027, 1, 7, 17)
        )

        assert (moved.start, moved.end, moved.version) == (
            paris(2027, 1, 7, 14),
            paris(2027, 1, 7, 17),
            2,
        )
        assert moved.price == Decimal("180.00")

    def test_a_member_cannot_move_inside_the_notice(self, machine, member):
        booking = book(machine, member)

        with pytest.raises(exc.TooSoon):
            booking_move(
                booking=booking, user=member, start=paris(2027, 1, 4, 14), end=paris(2027, 1, 4, 15)
            )
        booking.refresh_from_db()
        assert booking.start == WED_10

    def test_an_operator_moves_any_time_but_not_onto_another_booking(
        self, machine, member, operator, make_member
    ):
        booking = book(machine, member)
        other = book(machine, make_member(), paris(2027, 1, 8, 10), paris(2027, 1, 8, 12))

        moved = booking_move(
            booking=booking, user=operator, start=paris(2027, 1, 4, 14), end=paris(2027, 1, 4, 15)
        )
        assert moved.start == paris(2027, 1, 4, 14)
        with pytest.raises(exc.SlotUnavailable):
            booking_move(booking=booking, user=operator, start=other.start, end=other.end)

    def test_a_booking_moved_onto_its_own_time_is_not_a_conflict(self, machine, member):
        booking = book(machine, member)

        moved = booking_move(
            booking=booking,
            user=member,
            start=WED_10 + timedelta(hours=1),
            end=WED_12 + timedelta(hours=1),
        )

        assert moved.start == WED_10 + timedelta(hours=1)

    def test_a_member_move_needs_approval_again(self, member):
        machine = MachineFactory(requires_approval=True)
        operator = UserFactory()
        machine.platform.operators.add(operator)
        booking = book(machine, member)
        booking_approve(booking=booking, user=operator)

        moved = booking_move(
            booking=booking, user=member, start=paris(2027, 1, 7, 10), end=paris(2027, 1, 7, 12)
        )

        assert moved.status == BookingStatus.PENDING


class TestUsageAndNoShows:
    def test_an_operator_records_usage_and_the_booking_is_completed(
        self, machine, member, operator
    ):
        booking = book(machine, member)

        with time_machine.travel(paris(2027, 1, 6, 12), tick=False):
            usage_record(
                booking=booking,
                user=operator,
                actual_start=paris(2027, 1, 6, 10, 10),
                actual_end=paris(2027, 1, 6, 11, 50),
            )

        booking.refresh_from_db()
        assert booking.status == BookingStatus.COMPLETED
        assert booking.actual_start == paris(2027, 1, 6, 10, 10)

    def test_a_member_cannot_record_usage(self, machine, member):
        booking = book(machine, member)

        with pytest.raises(exc.NotAllowed):
            usage_record(booking=booking, user=member, actual_start=WED_10, actual_end=WED_12)

    def test_usage_must_end_after_it_starts(self, machine, member, operator):
        booking = book(machine, member)

        with pytest.raises(exc.InvalidRange):
            usage_record(booking=booking, user=operator, actual_start=WED_12, actual_end=WED_10)

    def test_no_shows_are_marked_after_the_grace_period_once(self, machine, member, operator):
        used = book(machine, member)
        absent = book(machine, member, paris(2027, 1, 6, 14), paris(2027, 1, 6, 15))
        later = book(machine, member, paris(2027, 1, 6, 16), paris(2027, 1, 6, 17))
        with time_machine.travel(paris(2027, 1, 6, 12), tick=False):
            usage_record(booking=used, user=operator, actual_start=WED_10, actual_end=WED_12)

        marked = no_shows_mark(now=paris(2027, 1, 6, 17, 30), grace_minutes=60)

        assert marked == 1
        statuses = dict(Booking.objects.values_list("pk", "status"))
        assert statuses == {
            used.pk: BookingStatus.COMPLETED,
            absent.pk: BookingStatus.NO_SHOW,
            later.pk: BookingStatus.CONFIRMED,  # ended 30 min ago: still in its grace period
        }
        assert no_shows_mark(now=paris(2027, 1, 6, 17, 30), grace_minutes=60) == 0


class TestWalkIns:
    """An SME walks in: the operator books the machine for it now, within the notice members
    are held to (issue 25, 7)."""

    def test_an_operator_books_a_walk_in_and_the_trail_says_so(self, machine, member, operator):
        # given: it is Monday 09:00, the machine asks 24 hours' notice
        assert machine.min_notice_hours == 24

        # when
        walk_in = book(
            machine, operator, paris(2027, 1, 4, 10), paris(2027, 1, 4, 11), company=member.company
        )

        # then
        assert walk_in.status == BookingStatus.CONFIRMED
        [entry] = AuditEntry.objects.filter(object_id=str(walk_in.pk))
        assert entry.action == "booking.created_within_notice"
        assert entry.actor == operator

    def test_the_member_is_still_held_to_the_notice(self, machine, member):
        with pytest.raises(exc.TooSoon):
            book(machine, member, paris(2027, 1, 4, 10), paris(2027, 1, 4, 11))

    def test_an_operator_booking_ahead_leaves_an_ordinary_trail(self, machine, member, operator):
        booking = book(machine, operator, company=member.company)

        assert AuditEntry.objects.get(object_id=str(booking.pk)).action == "booking.created"

    def test_not_before_the_previous_local_day_nor_outside_opening_hours(
        self, machine, member, operator
    ):
        with pytest.raises(exc.TooEarly):
            book(machine, operator, paris(2027, 1, 2, 10), paris(2027, 1, 2, 11), member.company)
        with pytest.raises(exc.OutsideOpeningHours):
            book(machine, operator, paris(2027, 1, 4, 19), paris(2027, 1, 4, 20), member.company)

    def test_a_walk_in_still_counts_against_the_companys_weekly_quota(self, member, operator):
        machine = MachineFactory(weekly_quota_hours=Decimal("1"))
        machine.platform.operators.add(operator)
        book(machine, operator, paris(2027, 1, 4, 10), paris(2027, 1, 4, 11), member.company)

        with pytest.raises(exc.QuotaExceeded):
            book(machine, operator, paris(2027, 1, 4, 12), paris(2027, 1, 4, 13), member.company)


class TestInternalBlocks:
    def test_an_operator_blocks_internal_time_which_no_one_can_then_book(
        self, machine, member, operator
    ):
        block = booking_block(
            machine=machine, user=operator, start=WED_10, end=WED_12, note="Essais matière"
        )

        assert block.kind == BookingKind.INTERNAL and block.company is None
        with pytest.raises(exc.SlotUnavailable):
            book(machine, member)

    def test_a_block_cannot_overlap_a_booking(self, machine, member, operator):
        book(machine, member)

        with pytest.raises(exc.SlotUnavailable):
            booking_block(machine=machine, user=operator, start=WED_10, end=WED_12)

    def test_a_block_may_fall_outside_notice_and_opening_hours(self, machine, operator):
        block = booking_block(
            machine=machine, user=operator, start=paris(2027, 1, 4, 19), end=paris(2027, 1, 4, 22)
        )
        assert block.pk

    def test_only_operators_block(self, machine, member):
        with pytest.raises(exc.NotAllowed):
            booking_block(machine=machine, user=member, start=WED_10, end=WED_12)


class TestBounds:
    """Operators skip notice, not the calendar; usage is what happened on the booking's day."""

    def test_an_operator_moves_back_to_yesterday_but_no_earlier(self, machine, member, operator):
        booking = book(machine, member)

        moved = booking_move(
            booking=booking, user=operator, start=paris(2027, 1, 4, 8), end=paris(2027, 1, 4, 9)
        )
        assert moved.start == paris(2027, 1, 4, 8)
        with pytest.raises(exc.TooEarly):
            booking_move(
                booking=booking,
                user=operator,
                start=paris(2026, 12, 31, 10),
                end=paris(2026, 12, 31, 11),
            )
        booking.refresh_from_db()
        assert booking.start == paris(2027, 1, 4, 8)

    def test_an_operator_cannot_move_beyond_the_horizon(self, member, operator):
        machine = MachineFactory(max_advance_days=30)
        machine.platform.operators.add(operator)
        booking = book(machine, member)

        with pytest.raises(exc.TooFar):
            booking_move(
                booking=booking,
                user=operator,
                start=paris(2027, 3, 3, 10),
                end=paris(2027, 3, 3, 11),
            )

    @pytest.mark.parametrize(
        ("start", "end", "error"),
        [
            (paris(2026, 1, 6, 10), paris(2026, 1, 6, 11), exc.UsageOutsideBookingDay),
            (paris(2027, 1, 5, 10), paris(2027, 1, 5, 12), exc.UsageOutsideBookingDay),
            (paris(2027, 1, 6, 10), paris(2028, 2, 10, 10), exc.UsageOutsideBookingDay),
            (paris(2027, 1, 5, 19), paris(2027, 1, 6, 23), exc.UsageTooLong),
            (paris(2027, 1, 6, 10), paris(2027, 1, 7, 6), exc.UsageInFuture),
        ],
    )
    def test_usage_lies_within_the_booking_day_is_over_and_lasts_at_most_a_day(
        self, machine, member, operator, start, end, error
    ):
        booking = book(machine, member)

        with time_machine.travel(paris(2027, 1, 7, 5), tick=False), pytest.raises(error):
            usage_record(booking=booking, user=operator, actual_start=start, actual_end=end)
        booking.refresh_from_db()
        assert (booking.status, booking.actual_start) == (BookingStatus.CONFIRMED, None)

    @pytest.mark.parametrize(
        "value", [datetime(1, 1, 1, 9), datetime(9999, 12, 31, 9), datetime(1999, 12, 31, 9)]
    )
    def test_services_refuse_dates_outside_2000_2100_whoever_calls(self, machine, member, value):
        # The admin and (next) the web forms reach the services without the API's fields.
        from core.exceptions import OutOfRange

        with pytest.raises(OutOfRange):
            book(machine, member, start=value, end=value + timedelta(hours=1))
        with pytest.raises(OutOfRange):
            booking_create_series(
                machine=machine,
                company=member.company,
                user=member,
                start=value,
                end=value + timedelta(hours=1),
                frequency="weekly",
                count=52,
            )
        assert not Booking.objects.exists()
