"""The usage figures: for a period and a scope, SQL aggregates over the bookings (never a Python
loop over them), the open hours from the opening hours and the expanded closure intervals.

A booking belongs to the period by its start in its platform's local time: the period's
bounds are local midnights of each platform's zone. Internal blocks are left out. Each figure
keeps one meaning everywhere (the API, the dashboard, the downloads):

- ``smes_served`` / ``companies_served``: distinct SIRENs (two establishments of one company
  count once) of micro, small and medium companies / of every size, with a completed booking;
- ``new_smes``: SMEs served with no completed booking in the scope before the period (the
  monthly rows count each in the first month it was served);
- ``hours_booked``: booked time of confirmed, completed and no-show bookings;
- ``hours_used``: actual usage of completed bookings (their booked time when none was recorded);
- ``open_hours``: opening hours minus closures, per machine; ``utilisation`` = used / open;
- ``bookings``: counts by status, cancellations split into on time and late;
- ``revenue``: the price of completed and no-show bookings.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from bookings.models import Booking, BookingKind, BookingStatus, Company, CompanySize
from core.exceptions import DomainError
from core.intervals import Interval, merge_intervals
from platforms.models import ClosureInterval, Machine, MachineCategory, Platform, Region
from platforms.selectors import opening_intervals
from platforms.timezones import local_midnight, zone

from .models import Programme

SME_SIZES = (CompanySize.MICRO, CompanySize.SMALL, CompanySize.MEDIUM)
STATUSES = (
    "pending",
    "confirmed",
    "completed",
    "cancelled",
    "late_cancelled",
    "no_show",
    "rejected",
)
FIGURES = (
    "smes_served",
    "companies_served",
    "new_smes",
    "hours_booked",
    "hours_used",
    "open_hours",
    "utilisation",
    "revenue",
    "bookings",
)
MAX_REPORT_DAYS = 3 * 366


class ReportNotAllowed(DomainError):
    code = "not_allowed"
    status = 403
    message = _("Reports are for funders, platform operators and member companies.")


class ReportNotFound(DomainError):
    code = "not_found"
    status = 404
    message = _("No such programme, platform or machine among those you follow.")


class ReportPeriodInvalid(DomainError):
    code = "invalid_period"
    status = 400
    message = _("The period must end after it starts and last at most three years.")


@dataclass(frozen=True)
class Scope:
    """What a report covers: platforms (None: every one, for staff) or, for an SME member,
    their own companies; optionally narrowed to a programme, a region, a machine."""

    platform_ids: tuple[int, ...] | None
    company_ids: tuple[int, ...] | None = None
    programme: Programme | None = None
    region: str = ""
    machine_id: int | None = None

    @property
    def for_companies(self) -> bool:
        return self.company_ids is not None


def programmes_followed(*, user: Any) -> QuerySet[Programme]:
    if not getattr(user, "is_authenticated", False):
        return Programme.objects.none()
    if user.is_staff:
        return Programme.objects.all()
    return Programme.objects.filter(funders=user)


def report_scope(
    *,
    user: Any,
    programme_id: int | None = None,
    platform_id: int | None = None,
    region: str = "",
    machine_id: int | None = None,
) -> Scope:
    """The scope ``user`` may see, narrowed as asked. Funders see the platforms of the
    programmes they follow, operators the platforms they run, staff every one; anyone else
    their own companies' usage. A programme, platform or machine outside is ``not_found``."""
    if not getattr(user, "is_authenticated", False):
        raise ReportNotAllowed()
    if region and region not in Region.values:
        raise ReportNotFound()
    allowed: set[int] | None
    if user.is_staff:
        allowed = None
    else:
        allowed = set(
            Platform.objects.filter(Q(programmes__funders=user) | Q(operators=user)).values_list(
                "pk", flat=True
            )
        )
    programme = None
    if programme_id is not None:
        programme = programmes_followed(user=user).filter(pk=programme_id).first()
        if programme is None:
            raise ReportNotFound()
        funded = set(programme.platforms.values_list("pk", flat=True))
        allowed = funded if allowed is None else allowed & funded
    if not allowed and allowed is not None and programme is None:
        companies = tuple(
            Company.objects.filter(memberships__user=user).values_list("pk", flat=True)
        )
        if not companies:
            raise ReportNotAllowed()
        if platform_id is not None or machine_id is not None:
            raise ReportNotFound()
        return Scope(platform_ids=None, company_ids=companies, region=region)
    if platform_id is not None:
        if (allowed is not None and platform_id not in allowed) or not Platform.objects.filter(
            pk=platform_id
        ).exists():
            raise ReportNotFound()
        allowed = {platform_id}
    if machine_id is not None:
        machine = Machine.objects.filter(pk=machine_id).values_list("platform_id", flat=True)
        platform_of = machine.first()
        if platform_of is None or (allowed is not None and platform_of not in allowed):
            raise ReportNotFound()
    return Scope(
        platform_ids=None if allowed is None else tuple(sorted(allowed)),
        programme=programme,
        region=region,
        machine_id=machine_id,
    )


# --- Building blocks -------------------------------------------------------------------------


def _duration(start: str, end: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


def _aggregates() -> dict[str, Any]:
    """The figures as SQL aggregates (``new_smes`` aside: ``_new_smes``)."""
    completed = Q(status=BookingStatus.COMPLETED)
    sme = Q(completed, company__size_class__in=SME_SIZES)
    booked = _duration("start", "end")
    aggregates: dict[str, Any] = {
        "smes_served": Count("company__siren", distinct=True, filter=sme),
        "companies_served": Count("company__siren", distinct=True, filter=completed),
        "hours_booked": Sum(
            booked,
            filter=Q(
                status__in=(
                    BookingStatus.CONFIRMED,
                    BookingStatus.COMPLETED,
                    BookingStatus.NO_SHOW,
                )
            ),
        ),
        "hours_used": Sum(
            Coalesce(_duration("actual_start", "actual_end"), booked), filter=completed
        ),
        "revenue": Sum(
            "price", filter=Q(status__in=(BookingStatus.COMPLETED, BookingStatus.NO_SHOW))
        ),
        "n_pending": Count("pk", filter=Q(status=BookingStatus.PENDING)),
        "n_confirmed": Count("pk", filter=Q(status=BookingStatus.CONFIRMED)),
        "n_completed": Count("pk", filter=completed),
        "n_cancelled": Count(
            "pk", filter=Q(status=BookingStatus.CANCELLED, late_cancellation=False)
        ),
        "n_late_cancelled": Count(
            "pk", filter=Q(status=BookingStatus.CANCELLED, late_cancellation=True)
        ),
        "n_no_show": Count("pk", filter=Q(status=BookingStatus.NO_SHOW)),
        "n_rejected": Count("pk", filter=Q(status=BookingStatus.REJECTED)),
    }
    return aggregates


def _hours(value: timedelta | None) -> float:
    return round(value.total_seconds() / 3600, 2) if value else 0.0


def _figures(row: dict[str, Any]) -> dict[str, Any]:
    revenue = row.get("revenue") or Decimal("0")
    return {
        "smes_served": row["smes_served"],
        "companies_served": row["companies_served"],
        "new_smes": row.get("new_smes", 0),
        "hours_booked": _hours(row["hours_booked"]),
        "hours_used": _hours(row["hours_used"]),
        "open_hours": None,
        "utilisation": None,
        "revenue": str(revenue.quantize(Decimal("0.01"))),
        "bookings": {status: row[f"n_{status}"] for status in STATUSES},
    }


def _empty_row() -> dict[str, Any]:
    return {
        "smes_served": 0,
        "companies_served": 0,
        "new_smes": 0,
        "hours_booked": None,
        "hours_used": None,
        "revenue": None,
        **{f"n_{status}": 0 for status in STATUSES},
    }


def _empty() -> dict[str, Any]:
    return _figures(_empty_row())


def _with_open(figures: dict[str, Any], open_seconds: float | None) -> dict[str, Any]:
    if open_seconds is None:
        return figures
    figures["open_hours"] = round(open_seconds / 3600, 2)
    figures["utilisation"] = (
        round(figures["hours_used"] / figures["open_hours"], 4) if open_seconds else None
    )
    return figures


@dataclass
class _Frame:
    """What one report reads before aggregating: its platforms by time zone, its machines."""

    scope: Scope
    platforms: list[Platform]
    machines: list[Machine]

    @property
    def zones(self) -> dict[str, list[int]]:
        zones: dict[str, list[int]] = defaultdict(list)
        for platform in self.platforms:
            zones[platform.timezone].append(platform.pk)
        return zones

    def _zoned(self, bounds: Callable[[Any], dict[str, Any]]) -> Q:
        """``bounds(tz)`` for each platform zone, each limited to its platforms when several."""
        zones = self.zones
        if not zones:
            return Q(pk__in=[])
        window = Q()
        for name, ids in zones.items():
            part = Q(**bounds(zone(name)))
            if len(zones) > 1:
                part &= Q(machine__platform_id__in=ids)
            window |= part
        return window

    def window(self, start: date, end: date) -> Q:
        """Bookings starting in [start, end) local time, in its platform's zone."""
        return self._zoned(
            lambda tz: {
                "start__gte": local_midnight(start, tz),
                "start__lt": local_midnight(end, tz),
            }
        )

    def before(self, start: date) -> Q:
        """Bookings starting before ``start`` local time, in its platform's zone."""
        return self._zoned(lambda tz: {"start__lt": local_midnight(start, tz)})

    def bookings(self) -> QuerySet[Booking]:
        rows = Booking.objects.filter(kind=BookingKind.COMPANY)
        scope = self.scope
        if scope.for_companies:
            rows = rows.filter(company_id__in=scope.company_ids)
        if scope.platform_ids is not None or scope.region:
            rows = rows.filter(machine__platform_id__in=[p.pk for p in self.platforms])
        if scope.machine_id is not None:
            rows = rows.filter(machine_id=scope.machine_id)
        return rows


def _frame(scope: Scope) -> _Frame:
    platforms = Platform.objects.order_by("name")
    if scope.platform_ids is not None:
        platforms = platforms.filter(pk__in=scope.platform_ids)
    if scope.region:
        platforms = platforms.filter(region=scope.region)
    platform_list = list(platforms.prefetch_related("opening_hours"))
    ids = [platform.pk for platform in platform_list]
    machines = Machine.objects.filter(platform_id__in=ids).order_by("platform_id", "name")
    if scope.machine_id is not None:
        machines = machines.filter(pk=scope.machine_id)
    return _Frame(scope=scope, platforms=platform_list, machines=list(machines))


@dataclass(frozen=True)
class Month:
    label: str  # YYYY-MM
    start: date
    end: date  # excluded


def months_of(start: date, end: date) -> list[Month]:
    """The calendar months touched by [start, end), each cut to the period."""
    months = []
    cursor = start.replace(day=1)
    while cursor < end:
        following = (cursor + timedelta(days=32)).replace(day=1)
        months.append(
            Month(label=f"{cursor:%Y-%m}", start=max(cursor, start), end=min(following, end))
        )
        cursor = following
    return months


def _month_of(frame: _Frame, months: list[Month]) -> Case:
    """The report month (``YYYY-MM``, local) of a booking's start; "" outside the period."""
    return Case(
        *[When(frame.window(month.start, month.end), then=Value(month.label)) for month in months],
        default=Value(""),
        output_field=CharField(),
    )


def _clip(intervals: list[Interval], start: datetime, end: datetime) -> list[Interval]:
    return [(max(s, start), min(e, end)) for s, e in intervals if s < end and e > start]


def _overlap_seconds(a: list[Interval], b: list[Interval]) -> float:
    """Total overlap of two sorted lists of disjoint intervals."""
    total, i, j = 0.0, 0, 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            total += (end - start).total_seconds()
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


def open_seconds(frame: _Frame, months: list[Month]) -> dict[tuple[int, str], float]:
    """Seconds each active machine is open in each month: its platform's opening hours minus
    its closure intervals. Two queries (opening hours come prefetched with the platforms)."""
    if not months or not frame.machines:
        return {}
    opening: dict[tuple[int, str], list[Interval]] = {}
    for platform in frame.platforms:
        tz = platform.tz
        hours = list(platform.opening_hours.all())
        for month in months:
            start, end = local_midnight(month.start, tz), local_midnight(month.end, tz)
            opening[(platform.pk, month.label)] = _clip(
                opening_intervals(platform=platform, start=start, end=end, hours=hours),
                start,
                end,
            )
    active = [machine for machine in frame.machines if machine.active]
    first = min(local_midnight(months[0].start, p.tz) for p in frame.platforms)
    last = max(local_midnight(months[-1].end, p.tz) for p in frame.platforms)
    closed: dict[int, list[Interval]] = defaultdict(list)
    for machine_id, start, end in ClosureInterval.objects.filter(
        machine_id__in=[machine.pk for machine in active], start__lt=last, end__gt=first
    ).values_list("machine_id", "start", "end"):
        closed[machine_id].append((start, end))
    merged = {machine_id: merge_intervals(rows) for machine_id, rows in closed.items()}
    result = {}
    for machine in active:
        for month in months:
            intervals = opening[(machine.platform_id, month.label)]
            total = sum((e - s).total_seconds() for s, e in intervals)
            if machine.pk in merged:
                total -= _overlap_seconds(intervals, merged[machine.pk])
            result[(machine.pk, month.label)] = total
    return result


# --- The report -------------------------------------------------------------------------------


@dataclass
class _NewSmes:
    """SMEs served in the period whose SIREN had no completed booking in the scope before it,
    with where (machine) and when (month, the first in the period) each was first served."""

    rows: list[tuple[int, str, str, str, str]]  # machine, month, SIREN, size class, region
    first_month: dict[str, str]

    def count(self, key: Any, month_only: bool = False) -> dict[Any, int]:
        """New SIRENs per group; ``key(row)`` names a row's group. With ``month_only``, a SIREN
        counts in its first month only."""
        groups: dict[Any, set[str]] = defaultdict(set)
        for row in self.rows:
            if month_only and row[1] != self.first_month[row[2]]:
                continue
            groups[key(row)].add(row[2])
        return {group: len(sirens) for group, sirens in groups.items()}


def _new_smes(
    frame: "_Frame", period: QuerySet[Booking], start: date, months: list["Month"]
) -> _NewSmes:
    """Two queries whatever the size: the SIRENs served and never before ``start`` (an index
    lookup each), then where and when they were served."""
    served_smes = period.filter(
        status=BookingStatus.COMPLETED, company__size_class__in=SME_SIZES
    ).order_by()
    earlier = frame.bookings().filter(frame.before(start), status=BookingStatus.COMPLETED)
    new = list(
        Company.objects.filter(siren__in=served_smes.values("company__siren"))
        .exclude(Exists(earlier.filter(company__siren=OuterRef("siren"))))
        .values_list("siren", flat=True)
        .distinct()
    )
    if not new:
        return _NewSmes(rows=[], first_month={})
    rows = list(
        served_smes.filter(company__siren__in=new)
        .annotate(report_month=_month_of(frame, months))
        .values_list(
            "machine_id", "report_month", "company__siren", "company__size_class", "company__region"
        )
        .distinct()
    )
    first_month: dict[str, str] = {}
    for row in rows:
        if row[2] not in first_month or row[1] < first_month[row[2]]:
            first_month[row[2]] = row[1]
    return _NewSmes(rows=rows, first_month=first_month)


# The groups of a report: the booking column each groups by ("" for the totals).
GROUPS = {
    "totals": (),
    "machine": ("machine_id",),
    "platform": ("machine__platform_id",),
    "category": ("machine__category",),
    "size": ("company__size_class",),
    "region": ("company__region",),
    "month": ("report_month",),
    "machine_month": ("machine_id", "report_month"),
}


def _key(values: tuple[Any, ...]) -> Any:
    return values[0] if len(values) == 1 else values


_SET_COLUMNS = {
    "machine_id": "g_machine",
    "machine__platform_id": "g_platform",
    "machine__category": "g_category",
    "company__size_class": "g_size",
    "company__region": "g_region",
    "report_month": "g_month",
}


def _groups_by_sets(
    monthly: QuerySet[Any], names: list[str]
) -> dict[str, dict[Any, dict[str, Any]]]:
    """Every group from two statements over one scan of the period's bookings: the sums and
    counts by ``GROUPING SETS``
    (hashed: no distinct aggregate in it), the distinct SIRENs from the completed bookings
    deduplicated once and counted per group (hash aggregates, where ``COUNT(DISTINCT)`` would
    sort every group)."""
    inner = monthly.values(
        **{alias: F(column) for column, alias in _SET_COLUMNS.items() if column != "report_month"},
        g_month=F("report_month"),
        g_siren=F("company__siren"),
        g_status=F("status"),
        g_late=F("late_cancellation"),
        g_booked=_duration("start", "end"),
        g_used=Coalesce(_duration("actual_start", "actual_end"), _duration("start", "end")),
        g_price=F("price"),
    )
    sql, params = inner.order_by().query.sql_with_params()
    aliases = list(_SET_COLUMNS.values())
    columns_of = {name: [_SET_COLUMNS[column] for column in GROUPS[name]] for name in names}
    sets = ", ".join("(" + ", ".join(columns_of[name]) + ")" for name in names)
    done = BookingStatus.COMPLETED
    sums = f"""
        WITH booked AS MATERIALIZED ({sql})
        SELECT {", ".join(f"GROUPING({alias}) AS is_{alias}" for alias in aliases)},
            {", ".join(aliases)},
            SUM(g_booked) FILTER (WHERE g_status IN (%s, %s, %s)) AS hours_booked,
            SUM(g_used) FILTER (WHERE g_status = %s) AS hours_used,
            SUM(g_price) FILTER (WHERE g_status IN (%s, %s)) AS revenue,
            COUNT(*) FILTER (WHERE g_status = %s) AS n_pending,
            COUNT(*) FILTER (WHERE g_status = %s) AS n_confirmed,
            COUNT(*) FILTER (WHERE g_status = %s) AS n_completed,
            COUNT(*) FILTER (WHERE g_status = %s AND NOT g_late) AS n_cancelled,
            COUNT(*) FILTER (WHERE g_status = %s AND g_late) AS n_late_cancelled,
            COUNT(*) FILTER (WHERE g_status = %s) AS n_no_show,
            COUNT(*) FILTER (WHERE g_status = %s) AS n_rejected
        FROM booked
        GROUP BY GROUPING SETS ({sets})
    """
    sums_params = (
        *params,
        BookingStatus.CONFIRMED,
        done,
        BookingStatus.NO_SHOW,
        done,
        done,
        BookingStatus.NO_SHOW,
        BookingStatus.PENDING,
        BookingStatus.CONFIRMED,
        done,
        BookingStatus.CANCELLED,
        BookingStatus.CANCELLED,
        BookingStatus.NO_SHOW,
        BookingStatus.REJECTED,
    )
    sme = ", ".join(["%s"] * len(SME_SIZES))
    parts, distinct_params = [], []
    for name in names:
        columns = columns_of[name]
        as_text = " || '|' || ".join(f"({column})::text" for column in columns) or "''"
        listed = ", ".join([*columns, "g_siren"])
        for figure, only_smes in (("smes_served", True), ("companies_served", False)):
            where = f"WHERE g_size IN ({sme})" if only_smes else ""
            grouped = f"GROUP BY {', '.join(columns)}" if columns else ""
            parts.append(
                f"SELECT %s AS grp, %s AS figure, {as_text} AS key, COUNT(*) AS n "
                f"FROM (SELECT DISTINCT {listed} FROM served {where}) AS one {grouped}"
            )
            distinct_params += [name, figure, *(SME_SIZES if only_smes else ())]
    sirens = f"""
        WITH served AS MATERIALIZED (
            SELECT DISTINCT {", ".join(aliases)}, g_siren FROM ({sql}) AS booked
            WHERE g_status = %s
        )
        {" UNION ALL ".join(parts)}
    """
    groups: dict[str, dict[Any, dict[str, Any]]] = {name: {} for name in names}
    by_grouped = {tuple(columns_of[name]): name for name in names}
    with connection.cursor() as cursor:
        cursor.execute(sums, sums_params)
        columns = [column.name for column in cursor.description]
        for values in cursor.fetchall():
            row = dict(zip(columns, values, strict=True))
            in_set = tuple(alias for alias in aliases if not row[f"is_{alias}"])
            group = by_grouped[in_set]
            key = _key(tuple(row[alias] for alias in in_set)) if in_set else None
            groups[group][key] = {**row, "smes_served": 0, "companies_served": 0}
        cursor.execute(sirens, (*params, done, *distinct_params))
        for group, figure, text, count in cursor.fetchall():
            key = _typed_key(group, text)
            if key in groups[group]:
                groups[group][key][figure] = count
    return groups


def _typed_key(name: str, text: str) -> Any:
    """A group's key from its text in the distinct counts' union."""
    if name == "totals":
        return None
    if name in ("machine", "platform"):
        return int(text)
    if name == "machine_month":
        machine, month = text.split("|", 1)
        return (int(machine), month)
    return text


def usage_report(*, scope: Scope, start: date, end: date, detail: bool = False) -> dict[str, Any]:
    """The report of ``scope`` over [start, end) in the API's shape; with ``detail``, also
    ``machine_months``: one row per machine per month (the CSV's and XLSX's detail)."""
    if end <= start or (end - start).days > MAX_REPORT_DAYS:
        raise ReportPeriodInvalid()
    frame = _frame(scope)
    months = months_of(start, end)
    base = frame.bookings()
    period = base.filter(frame.window(start, end))
    new = _new_smes(frame, period, start, months)
    monthly = period.annotate(report_month=_month_of(frame, months))
    names = [name for name in GROUPS if detail or name != "machine_month"]
    groups = _groups_by_sets(monthly, names)
    totals = _figures(groups["totals"].get(None) or _empty_row())
    totals["new_smes"] = len(new.first_month)
    previous_start = start - (end - start)
    before = base.filter(frame.window(previous_start, start))
    previous = _figures(before.aggregate(**_aggregates()))
    previous["new_smes"] = len(
        _new_smes(frame, before, previous_start, months_of(previous_start, start)).first_month
    )
    if not scope.for_companies:
        previous = _with_open(
            previous, sum(open_seconds(frame, months_of(previous_start, start)).values())
        )
    platform_of = {machine.pk: machine.platform_id for machine in frame.machines}
    category_of = {machine.pk: machine.category for machine in frame.machines}

    def figures_of(name: str, new_counts: dict[Any, int]) -> dict[Any, dict[str, Any]]:
        return {
            key: {**_figures(row), "new_smes": new_counts.get(key, 0)}
            for key, row in groups[name].items()
        }

    per_machine = figures_of("machine", new.count(lambda r: r[0]))
    per_platform = figures_of("platform", new.count(lambda r: platform_of.get(r[0])))
    per_category = figures_of("category", new.count(lambda r: category_of.get(r[0])))
    per_size = figures_of("size", new.count(lambda r: r[3]))
    per_region = figures_of("region", new.count(lambda r: r[4]))
    per_month = figures_of("month", new.count(lambda r: r[1], month_only=True))

    opened = None if scope.for_companies else open_seconds(frame, months)
    machine_open: dict[int, float] = defaultdict(float)
    month_open: dict[str, float] = defaultdict(float)
    for (machine_id, label), seconds in (opened or {}).items():
        machine_open[machine_id] += seconds
        month_open[label] += seconds
    by_id = {machine.pk: machine for machine in frame.machines}
    of_platform: dict[int, list[int]] = defaultdict(list)
    of_category: dict[str, list[int]] = defaultdict(list)
    for machine in frame.machines:
        of_platform[machine.platform_id].append(machine.pk)
        of_category[machine.category].append(machine.pk)

    def open_of(machine_ids: list[int]) -> float | None:
        if opened is None:
            return None
        return sum(machine_open.get(machine_id, 0.0) for machine_id in machine_ids)

    machines = []
    for machine in frame.machines:
        if scope.for_companies and machine.pk not in per_machine:
            continue
        figures = per_machine.get(machine.pk) or _empty()
        machines.append(
            {
                "id": machine.pk,
                "platform": machine.platform_id,
                "name": machine.name,
                "category": machine.category,
                **_with_open(figures, open_of([machine.pk])),
            }
        )
    platforms = []
    for platform in frame.platforms:
        if scope.for_companies and platform.pk not in per_platform:
            continue
        ids = of_platform[platform.pk]
        figures = per_platform.get(platform.pk) or _empty()
        platforms.append(
            {
                "id": platform.pk,
                "name": platform.name,
                "region": platform.region,
                **_with_open(figures, open_of(ids)),
            }
        )
    by_category = {}
    for category in MachineCategory.values:
        ids = of_category[category]
        if category in per_category or (ids and opened is not None):
            by_category[category] = _with_open(per_category.get(category) or _empty(), open_of(ids))
    by_month = [
        {
            "month": month.label,
            **_with_open(
                per_month.get(month.label) or _empty(),
                None if opened is None else month_open.get(month.label, 0.0),
            ),
        }
        for month in months
    ]
    report: dict[str, Any] = {
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "programme": _programme(scope.programme, end) if scope.programme else None,
        "totals": _with_open(totals, open_of(list(by_id))),
        "platforms": platforms,
        "machines": machines,
        "by_category": by_category,
        "by_size_class": {key: value for key, value in per_size.items() if key},
        "by_region": {key: value for key, value in per_region.items() if key},
        "by_month": by_month,
        "previous": {
            "period": {"start": previous_start.isoformat(), "end": start.isoformat()},
            **previous,
        },
    }
    if detail:
        report["machine_months"] = _machine_months(
            frame,
            months,
            figures_of("machine_month", new.count(lambda r: (r[0], r[1]), True)),
            opened,
        )
    return report


def _machine_months(
    frame: _Frame,
    months: list[Month],
    rows: dict[tuple[int, str], dict[str, Any]],
    opened: dict[tuple[int, str], float] | None,
) -> list[dict[str, Any]]:
    platform_names = {platform.pk: platform.name for platform in frame.platforms}
    detail = []
    for machine in frame.machines:
        for month in months:
            key = (machine.pk, month.label)
            if frame.scope.for_companies and key not in rows:
                continue
            detail.append(
                {
                    "month": month.label,
                    "platform": platform_names.get(machine.platform_id, ""),
                    "machine": machine.name,
                    "category": machine.category,
                    **_with_open(
                        rows.get(key) or _empty(), None if opened is None else opened.get(key, 0.0)
                    ),
                }
            )
    return detail


def _programme(programme: Programme, end: date) -> dict[str, Any]:
    """The programme's SMEs served from its start to the report's end, against its target."""
    frame = _frame(Scope(platform_ids=tuple(programme.platforms.values_list("pk", flat=True))))
    served = (
        frame.bookings()
        .filter(
            frame.window(programme.start_date, end),
            status=BookingStatus.COMPLETED,
            company__size_class__in=SME_SIZES,
        )
        .aggregate(count=Count("company__siren", distinct=True))["count"]
    )
    return {
        "id": programme.pk,
        "name": programme.name,
        "target": programme.target_smes,
        "smes_served_to_date": served,
    }


def report_title(scope: Scope) -> str:
    """What a report covers, as its title says it."""
    if scope.programme is not None:
        return str(_("Usage of the equipment funded by %(name)s") % {"name": scope.programme.name})
    if scope.machine_id is not None:
        machine = Machine.objects.filter(pk=scope.machine_id).values_list("name", flat=True)
        return str(_("Usage of %(name)s") % {"name": machine.first() or ""})
    if scope.platform_ids is not None and len(scope.platform_ids) == 1:
        platform = Platform.objects.filter(pk=scope.platform_ids[0]).values_list("name", flat=True)
        return str(_("Usage of the equipment of %(name)s") % {"name": platform.first() or ""})
    if scope.for_companies:
        names = Company.objects.filter(pk__in=scope.company_ids or ()).values_list(
            "name", flat=True
        )
        return str(_("Equipment used by %(names)s") % {"names": ", ".join(sorted(names))})
    return str(_("Usage of the shared equipment"))


def platforms_in_view(*, user: Any) -> QuerySet[Platform]:
    """The platforms whose figures ``user`` sees: staff every one, funders their programmes',
    operators theirs; none for anyone else (an SME sees its own usage, by company)."""
    if not getattr(user, "is_authenticated", False):
        return Platform.objects.none()
    if user.is_staff:
        return Platform.objects.order_by("name")
    return (
        Platform.objects.filter(Q(programmes__funders=user) | Q(operators=user))
        .distinct()
        .order_by("name")
    )
