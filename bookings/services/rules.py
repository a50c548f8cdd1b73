"""The booking rules, in the order clients rely on: the first that fails is the refusal.

Each rule is a small function over a ``SlotContext`` (``context.py``) that raises its domain
error or returns. ``RULES`` is the one list every path runs — a booking, each date of a
series, a move and an operator's internal block — through ``check_rules``; what a path is
exempt from is a property of its context (``internal``, ``skips_notice``, ``skips_quotas``,
``operator``). Adding a rule is a function here, placed in ``RULES``, and its error in
``exceptions.py``.

Overlap is the last rule and the database's too: the exclusion constraint refuses what two
racing requests might let through (``context.conflicts_as_slot_unavailable``).
"""

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from django.utils.functional import lazy

from core.dates import long_day
from platforms.timezones import local_midnight

from .. import selectors
from ..exceptions import (
    Closed,
    DailyQuotaExceeded,
    InvalidRange,
    NotAligned,
    NotQualified,
    OutsideOpeningHours,
    QualificationExpired,
    QuotaExceeded,
    SlotUnavailable,
    TooEarly,
    TooFar,
    TooLong,
    TooShort,
    TooSoon,
)
from .context import SlotContext

# Operators skip the notice, not the calendar: they may place or move a booking back to the
# start of the previous local day (to set the record straight after the fact), no earlier,
# and no further ahead than members may book.
OPERATOR_BACKDATE_DAYS = 1


def qualified(ctx: SlotContext) -> None:
    """Machines that require it refuse users without a qualification valid on the slot's day —
    theirs on the machine, or one its platform recognises — and say so when the one they held
    expired or lapsed (operators book on a company's behalf and answer for who runs it)."""
    if ctx.internal or ctx.operator or not ctx.machine.requires_qualification:
        return
    standing = selectors.qualification_standing(user=ctx.user, machine=ctx.machine, start=ctx.start)
    if standing.qualified:
        return
    error: NotQualified = (
        QualificationExpired(date=lazy(long_day, str)(standing.ended_on))
        if standing.ended_on is not None
        else NotQualified()
    )
    # Where to get (back) the qualification: the next training session on the machine.
    error.next_session = selectors.next_session_for(machine=ctx.machine)
    raise error


def a_range(ctx: SlotContext) -> None:
    if ctx.end <= ctx.start:
        raise InvalidRange()


def aligned(ctx: SlotContext) -> None:
    """Both ends on the machine's slot grid, counted from local midnight."""
    if ctx.internal:
        return
    for moment in (ctx.start, ctx.end):
        local = moment.astimezone(ctx.tz)
        minutes = local.hour * 60 + local.minute
        if local.second or local.microsecond or minutes % ctx.machine.slot_minutes:
            raise NotAligned(minutes=ctx.machine.slot_minutes)


def long_enough(ctx: SlotContext) -> None:
    if not ctx.internal and ctx.end - ctx.start < timedelta(minutes=ctx.machine.min_minutes):
        raise TooShort(minutes=ctx.machine.min_minutes)


def not_too_long(ctx: SlotContext) -> None:
    if not ctx.internal and ctx.end - ctx.start > timedelta(minutes=ctx.machine.max_minutes):
        raise TooLong(minutes=ctx.machine.max_minutes)


def notice(ctx: SlotContext) -> None:
    if not ctx.skips_notice and ctx.within_notice:
        raise TooSoon(hours=ctx.machine.min_notice_hours)


def horizon(ctx: SlotContext) -> None:
    """No one books further ahead than the machine's horizon, operators included."""
    days = ctx.machine.max_advance_days
    if ctx.start > ctx.now + timedelta(days=days):
        raise TooFar(days=days)


def operator_window(ctx: SlotContext) -> None:
    """What bounds an operator who skips the notice: never before the start of the previous
    local day."""
    if not ctx.skips_notice:
        return
    today = ctx.now.astimezone(ctx.tz).date()
    earliest = local_midnight(today - timedelta(days=OPERATOR_BACKDATE_DAYS), ctx.tz)
    if ctx.start < earliest:
        raise TooEarly(date=earliest.astimezone(ctx.tz).strftime("%Y-%m-%d %H:%M"))


def open_hours(ctx: SlotContext) -> None:
    """Inside one of the platform's open periods."""
    if ctx.internal:
        return
    if not any(opens <= ctx.start and ctx.end <= closes for opens, closes in ctx.opening):
        raise OutsideOpeningHours()


def not_closed(ctx: SlotContext) -> None:
    if not ctx.internal and ctx.closed:
        raise Closed()


def _hours(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1')).normalize():f}"


# A day as the reader of the refusal writes it ("mardi 5 janvier 2027"), in their language.
_day = lazy(long_day, str)


def weekly_quota(ctx: SlotContext) -> None:
    """The company's hours on the machine, per platform-local week, stay within the machine's
    weekly quota (summed in exact seconds)."""
    quota = ctx.machine.weekly_quota_hours
    if quota is None or ctx.company is None or ctx.skips_quotas:
        return
    for week in ctx.periods(selectors.local_week):
        used = ctx.held_seconds(week)
        if used + selectors.overlap_seconds(week, (ctx.start, ctx.end)) > quota * 3600:
            raise QuotaExceeded(quota=_hours(quota), used=_hours(used / 3600))


def daily_quota(ctx: SlotContext) -> None:
    """The company's hours on the machine, per platform-local day, stay within the machine's
    daily limit."""
    quota = ctx.machine.daily_quota_hours
    if quota is None or ctx.company is None or ctx.skips_quotas:
        return
    for day in ctx.periods(selectors.local_day):
        used = ctx.held_seconds(day)
        if used + selectors.overlap_seconds(day, (ctx.start, ctx.end)) > quota * 3600:
            raise DailyQuotaExceeded(
                quota=_hours(quota),
                used=_hours(used / 3600),
                day=_day(day[0].astimezone(ctx.tz).date()),
            )


def free(ctx: SlotContext) -> None:
    """No active booking, nor an earlier date of the series, closer than the buffer."""
    if ctx.neighbours:
        raise SlotUnavailable()


RULES: tuple[Callable[[SlotContext], None], ...] = (
    qualified,
    a_range,
    aligned,
    long_enough,
    not_too_long,
    notice,
    horizon,
    operator_window,
    open_hours,
    not_closed,
    weekly_quota,
    daily_quota,
    free,
)


def check_rules(ctx: SlotContext) -> None:
    """Run every rule on the slot, in order; the first refusal is raised."""
    for rule in RULES:
        rule(ctx)
