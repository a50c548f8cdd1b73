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
- ``hours_measured``: the part of ``hours_used`` measured at the machine (Start and Stop from
  its QR code or the API); the rest was declared (typed in by an operator, or the booked time);
- ``open_hours``: opening hours minus closures, per machine; ``utilisation`` = used / open;
- ``bookings``: counts by status, cancellations split into on time and late;
- ``revenue``: the price of completed and no-show bookings;
- ``subsidy``: the programme's aid granted in the period (by the day its invoice was issued,
  credit notes deducted) in all, per platform, region, size class and company, with the
  programme's budget left.
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
)

from billing.models import Programme
from billing.selectors import subsidy_figures
from bookings.models import BookingStatus
from platforms.models import MachineCategory

from ..exceptions import ReportPeriodInvalid
from .frame import (
    MAX_REPORT_DAYS,
    SME_SIZES,
    Frame,
    Month,
    aggregates,
    empty_figures,
    empty_row,
    frame_of,
    month_case,
    months_of,
    new_smes,
    open_seconds,
    row_figures,
    with_open,
)
from .groups import GROUPS, groups_by_sets
from .scope import Scope


def usage_report(*, scope: Scope, start: date, end: date, detail: bool = False) -> dict[str, Any]:
    """The report of ``scope`` over [start, end) in the API's shape; with ``detail``, also
    ``machine_months``: one row per machine per month (the CSV's and XLSX's detail)."""
    if end <= start or (end - start).days > MAX_REPORT_DAYS:
        raise ReportPeriodInvalid()
    frame = frame_of(scope)
    months = months_of(start, end)
    base = frame.bookings()
    period = base.filter(frame.window(start, end))
    new = new_smes(frame, period, start, months)
    monthly = period.annotate(report_month=month_case(frame, months))
    names = [name for name in GROUPS if detail or name != "machine_month"]
    groups = groups_by_sets(monthly, names)
    totals = row_figures(groups["totals"].get(None) or empty_row())
    totals["new_smes"] = len(new.first_month)
    previous_start = start - (end - start)
    before = base.filter(frame.window(previous_start, start))
    previous = row_figures(before.aggregate(**aggregates()))
    previous["new_smes"] = len(
        new_smes(frame, before, previous_start, months_of(previous_start, start)).first_month
    )
    if not scope.for_companies:
        previous = with_open(
            previous, sum(open_seconds(frame, months_of(previous_start, start)).values())
        )
    platform_of = {machine.pk: machine.platform_id for machine in frame.machines}
    category_of = {machine.pk: machine.category for machine in frame.machines}
    # People who waited for busy time starting in the period: a machine's saturation.
    waiting = dict(
        frame.waiting()
        .filter(frame.window(start, end))
        .values("machine_id")
        .annotate(count=Count("pk"))
        .values_list("machine_id", "count")
    )
    totals["waiting"] = sum(waiting.values())

    def figures_of(name: str, new_counts: dict[Any, int]) -> dict[Any, dict[str, Any]]:
        return {
            key: {**row_figures(row), "new_smes": new_counts.get(key, 0)}
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
        figures = per_machine.get(machine.pk) or empty_figures()
        machines.append(
            {
                "id": machine.pk,
                "platform": machine.platform_id,
                "name": machine.name,
                "category": machine.category,
                **with_open(figures, open_of([machine.pk])),
                "waiting": waiting.get(machine.pk, 0),
            }
        )
    platforms = []
    for platform in frame.platforms:
        if scope.for_companies and platform.pk not in per_platform:
            continue
        ids = of_platform[platform.pk]
        figures = per_platform.get(platform.pk) or empty_figures()
        platforms.append(
            {
                "id": platform.pk,
                "name": platform.name,
                "region": platform.region,
                **with_open(figures, open_of(ids)),
                "waiting": sum(waiting.get(machine_id, 0) for machine_id in ids),
            }
        )
    by_category = {}
    for category in MachineCategory.values:
        ids = of_category[category]
        if category in per_category or (ids and opened is not None):
            by_category[category] = with_open(
                per_category.get(category) or empty_figures(), open_of(ids)
            )
    by_month = [
        {
            "month": month.label,
            **with_open(
                per_month.get(month.label) or empty_figures(),
                None if opened is None else month_open.get(month.label, 0.0),
            ),
        }
        for month in months
    ]
    report: dict[str, Any] = {
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "programme": _programme(scope.programme, end) if scope.programme else None,
        "totals": with_open(totals, open_of(list(by_id))),
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
        "subsidy": _subsidy(scope, start, end),
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
    frame: Frame,
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
                    **with_open(
                        rows.get(key) or empty_figures(),
                        None if opened is None else opened.get(key, 0.0),
                    ),
                }
            )
    return detail


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _subsidy(scope: Scope, start: date, end: date) -> dict[str, Any]:
    """The programme's aid granted in the period (billing's figures), amounts as strings."""
    figures = subsidy_figures(
        platform_ids=scope.platform_ids,
        start=start,
        end=end,
        programme=scope.programme,
        region=scope.region,
        company_ids=scope.company_ids,
    )
    return {
        "granted": _money(figures["granted"]),
        "budget": _money(figures["budget"]),
        "budget_left": _money(figures["budget_left"]),
        "by_platform": [
            {**row, "granted": _money(row["granted"])} for row in figures["by_platform"]
        ],
        "by_region": {key: _money(value) for key, value in figures["by_region"].items()},
        "by_size_class": {key: _money(value) for key, value in figures["by_size_class"].items()},
        "companies": [
            {
                **row,
                "granted": _money(row["granted"]),
                "cap_left_this_year": _money(row["cap_left_this_year"]),
            }
            for row in figures["companies"]
        ],
    }


def _programme(programme: Programme, end: date) -> dict[str, Any]:
    """The programme's SMEs served from its start to the report's end, against its target."""
    frame = frame_of(Scope(platform_ids=tuple(programme.platforms.values_list("pk", flat=True))))
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
