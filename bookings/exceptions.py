"""Domain errors of the booking core, each with a stable code.

The UI shows ``detail`` as a form error; the API returns ``{"code", "detail"}`` with ``status``.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _

from core.exceptions import DomainError
from platforms.exceptions import InvalidLocalTime

__all__ = [
    "AccountExists",
    "AlreadyEnrolled",
    "AlreadyInvited",
    "AlreadyMember",
    "AlreadyStarted",
    "AlreadyWaiting",
    "AttendanceNotYet",
    "BookingError",
    "Closed",
    "CompanyNotValidated",
    "CompanyRegistered",
    "CompanySeatsTaken",
    "DailyQuotaExceeded",
    "DomainError",
    "FeedbackGiven",
    "FeedbackNotYet",
    "HoldsTraining",
    "InvalidLocalTime",
    "InvalidRange",
    "InvalidSeries",
    "InvalidSession",
    "InvitationInvalid",
    "InvitationLimit",
    "InvitationNotYet",
    "InvitationNotYours",
    "MachineInactive",
    "NotAligned",
    "NotAllowed",
    "NotCancellable",
    "NotCompanyAdmin",
    "NotConfirmed",
    "NotEnrolled",
    "NotMember",
    "NotPending",
    "NotQualified",
    "NotStarted",
    "NotWaiting",
    "OutsideOpeningHours",
    "QualificationExpired",
    "QuotaExceeded",
    "RangeFree",
    "SeriesRefused",
    "SessionClosed",
    "SessionFull",
    "SirenRefused",
    "SirenRegistered",
    "SlotUnavailable",
    "StartTooEarly",
    "TooEarly",
    "TooFar",
    "TooLong",
    "TooManyWaiting",
    "TooShort",
    "TooSoon",
    "UnknownMachine",
    "UnknownSession",
    "UsageAlreadyStarted",
    "UsageInFuture",
    "UsageOutsideBookingDay",
    "UsageTooLong",
    "WaitingListFull",
    "WaitingPast",
    "WaitingTooLong",
    "WindowTooLong",
]


class BookingError(DomainError):
    pass


class NotMember(BookingError):
    code = "not_member"
    status = 403
    message = _("You are not a member of this company.")


class NotCompanyAdmin(BookingError):
    code = "not_allowed"
    status = 403
    message = _("Only an administrator of this company can do this.")


class CompanyNotValidated(BookingError):
    code = "company_not_validated"
    status = 403
    message = _(
        "This company is waiting for validation by a platform operator; it can book once "
        "it is validated."
    )


class CompanyValidatedAlready(BookingError):
    code = "company_validated_already"
    status = 409
    message = _("This company is validated already; it cannot be refused.")


class RefusalReasonMissing(BookingError):
    code = "reason_required"
    status = 400
    message = _("Give the company a reason.")


class CompanyRegistered(BookingError):
    code = "company_registered"
    status = 409
    message = _("A company with this SIRET number is already registered.")


class AccountExists(BookingError):
    code = "account_exists"
    status = 409
    message = _("An account already uses this e-mail address: sign in, or reset your password.")


class NotAllowed(BookingError):
    code = "not_allowed"
    status = 403
    message = _("You are not allowed to do this on this booking.")


class MachineInactive(BookingError):
    code = "machine_inactive"
    message = _("This machine is not available for booking at the moment.")


class InvalidRange(BookingError):
    code = "invalid_range"
    message = _("The end of the booking must be after its start.")


class NotAligned(BookingError):
    code = "not_aligned"
    message = _("Bookings on this machine start and end on %(minutes)d-minute slots.")


class TooShort(BookingError):
    code = "too_short"
    message = _("A booking on this machine lasts at least %(minutes)d minutes.")


class TooLong(BookingError):
    code = "too_long"
    message = _("A booking on this machine lasts at most %(minutes)d minutes.")


class TooSoon(BookingError):
    code = "too_soon"
    message = _("This machine must be booked at least %(hours)d hours in advance.")


class TooFar(BookingError):
    code = "too_far"
    message = _("This machine can be booked at most %(days)d days in advance.")


class TooEarly(BookingError):
    code = "too_early"
    message = _("A booking cannot be placed or moved before %(date)s.")


class OutsideOpeningHours(BookingError):
    code = "outside_opening_hours"
    message = _("The platform is not open for the whole of this time slot.")


class SlotUnavailable(BookingError):
    code = "slot_unavailable"
    status = 409
    message = _("This time slot is no longer available: another booking overlaps it.")


class NotCancellable(BookingError):
    code = "not_cancellable"
    status = 409
    message = _("This booking can no longer be cancelled (status: %(status)s).")


class AlreadyStarted(BookingError):
    code = "already_started"
    message = _("This booking has already started; ask the platform operator to cancel it.")


class Closed(BookingError):
    code = "closed"
    message = _("The machine is closed or under maintenance during this time slot.")


class NotQualified(BookingError):
    code = "not_qualified"
    message = _("This machine requires a qualification you do not hold; ask the platform for one.")
    # The next training session that qualifies on the machine, if one is planned.
    next_session: Any = None


class QualificationExpired(NotQualified):
    code = "qualification_expired"
    message = _(
        "Your qualification on this machine counted until %(date)s: it expired, or lapsed "
        "for want of use. Ask the platform to qualify you again (on the machine's page)."
    )


class QuotaExceeded(BookingError):
    code = "quota_exceeded"
    message = _(
        "Your company's weekly quota on this machine is %(quota)s hours; "
        "%(used)s hours are already booked that week."
    )


class DailyQuotaExceeded(BookingError):
    code = "daily_quota_exceeded"
    message = _(
        "Your company may book this machine at most %(quota)s hours a day; "
        "%(used)s hours are already booked on %(day)s."
    )


class NotPending(BookingError):
    code = "not_pending"
    status = 409
    message = _("Only a booking awaiting approval can be approved or rejected.")


class InvalidSeries(BookingError):
    code = "invalid_series"
    message = _("A series repeats daily or weekly, from 2 to %(max)d times.")


class SeriesRefused(BookingError):
    """Some occurrences of a series broke a rule: nothing was booked.

    ``conflicts`` lists every refused occurrence: ``{"start", "end", "code", "detail"}``.
    """

    code = "series_refused"
    status = 409
    message = _("%(count)d of the requested dates cannot be booked; nothing was booked.")

    def __init__(self, conflicts: list[dict[str, object]]) -> None:
        super().__init__(count=len(conflicts))
        self.conflicts = conflicts


class UnknownMachine(BookingError):
    code = "unknown_machine"
    message = _("There is no machine %(machine)s.")


class UnknownCompany(BookingError):
    code = "unknown_company"
    message = _("There is no company %(company)s.")


class WindowTooLong(BookingError):
    code = "window_too_long"
    message = _("Ask for at most %(days)d days at a time.")


class UsageOutsideBookingDay(BookingError):
    code = "usage_outside_booking_day"
    message = _(
        "Recorded usage must lie within the booking's day, give or take %(hours)d hours "
        "(%(earliest)s to %(latest)s)."
    )


class UsageInFuture(BookingError):
    code = "usage_in_future"
    message = _("Usage can be recorded only once it has happened: its end is in the future.")


class UsageTooLong(BookingError):
    code = "usage_too_long"
    message = _("Recorded usage lasts at most %(hours)d hours.")


class InvitationNotYet(BookingError):
    code = "company_not_validated"
    status = 403
    message = _("A company invites colleagues once a platform operator has validated it.")


class AlreadyMember(BookingError):
    code = "already_member"
    status = 409
    message = _("This person is already a member of the company.")


class AlreadyInvited(BookingError):
    code = "already_invited"
    status = 409
    message = _("This address is invited already; the invitation waits for an answer.")


class InvitationLimit(BookingError):
    code = "invitation_limit"
    status = 429
    message = _(
        "The company has sent %(limit)d invitations in the last 24 hours, the most allowed; "
        "try again tomorrow."
    )


class InvitationInvalid(BookingError):
    code = "invitation_invalid"
    status = 404
    message = _(
        "This invitation is no longer valid: it was answered, withdrawn or is too old. Ask "
        "the company's administrator for a new one."
    )


class InvitationNotYours(BookingError):
    code = "invitation_not_yours"
    status = 403
    message = _(
        "This invitation was sent to another address than your account's: sign in with that "
        "address, or ask for an invitation to yours."
    )


class SirenRefused(BookingError):
    code = "siren_refused"
    status = 409
    message = _(
        "A platform operator could not validate this company (SIREN %(siren)s); it cannot sign "
        "up again until an operator lifts the refusal. Reply to the operator's e-mail."
    )


class SirenRegistered(BookingError):
    code = "siren_registered"
    status = 409
    message = _(
        "This company (SIREN %(siren)s) is registered already, under another establishment: ask "
        "its administrator to invite you."
    )


class RangeFree(BookingError):
    code = "range_free"
    status = 409
    message = _("Nothing is booked over this time: book it instead of waiting for it.")


class AlreadyWaiting(BookingError):
    code = "already_waiting"
    status = 409
    message = _(
        "You are already on this machine's waiting list over part of this time: see your "
        "bookings' page."
    )


class WaitingTooLong(BookingError):
    code = "waiting_too_long"
    message = _("Wait for at most %(days)d days at a time on a machine.")


class TooManyWaiting(BookingError):
    code = "too_many_waiting"
    status = 429
    message = _(
        "You are waiting for %(count)d slots already: leave one on your bookings' page before "
        "joining another waiting list."
    )


class WaitingPast(BookingError):
    code = "waiting_past"
    message = _("This time has already begun: nothing left to wait for.")


class NotWaiting(BookingError):
    code = "not_found"
    status = 404
    message = _("No such waiting list entry.")


class FeedbackNotYet(BookingError):
    code = "feedback_not_yet"
    message = _("Tell us how it went once the booking has begun.")


class FeedbackGiven(BookingError):
    code = "feedback_given"
    status = 409
    message = _("Someone of your company has already said how this booking went: thank you.")


# Usage measured at the machine.
class UsageAlreadyStarted(BookingError):
    code = "usage_already_started"
    status = 409
    message = _("This booking's use has already started.")


class NotConfirmed(BookingError):
    code = "not_confirmed"
    status = 409
    message = _("Only a confirmed booking is started or stopped at the machine (it is %(status)s).")


class NotStarted(BookingError):
    code = "usage_not_started"
    status = 409
    message = _("Start the booking's use before stopping it.")


class StartTooEarly(BookingError):
    code = "start_too_early"
    message = _("Start at most %(minutes)d minutes before the booking.")


# Training sessions.
class SessionClosed(BookingError):
    code = "session_closed"
    status = 409
    message = _("This training session was cancelled or has begun: enrolment is closed.")


class SessionFull(BookingError):
    code = "session_full"
    status = 409
    message = _("This training session is full: join its waiting list to take a seat that frees.")


class WaitingListFull(BookingError):
    code = "session_full"
    status = 409
    message = _("This training session and its waiting list are full.")


class CompanySeatsTaken(BookingError):
    code = "company_seats_taken"
    status = 409
    message = _(
        "Your company has %(seats)d seats in this session already (its waiting list included): "
        "that is the most one company may have."
    )


class AlreadyEnrolled(BookingError):
    code = "already_enrolled"
    status = 409
    message = _("This person is already enrolled in this session (or on its waiting list).")


class UnknownSession(BookingError):
    code = "not_found"
    status = 404
    message = _("No such training session.")


class NotEnrolled(BookingError):
    code = "not_enrolled"
    status = 404
    message = _("This person has no seat in this session.")


class AttendanceNotYet(BookingError):
    code = "attendance_not_yet"
    message = _("Attendance is recorded once the session has begun.")


class HoldsTraining(BookingError):
    code = "holds_training"
    status = 409
    message = _(
        "This time holds a training session: cancel the session (on the training page) to free it."
    )


class InvalidSession(BookingError):
    code = "invalid_session"
    message = _("%(reason)s")


class AlreadyOperator(DomainError):
    code = "already_operator"
    status = 409
    message = _("This person already runs the platform.")
