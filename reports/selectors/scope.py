"""Who sees which figures: the scope of a report (platforms, or an SME's own companies), its
title, the programmes and platforms in view."""

from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Q,
    QuerySet,
)
from django.utils.translation import gettext_lazy as _

from billing.models import Programme
from bookings.models import Company
from platforms.models import Machine, Platform, Region

from ..exceptions import ReportNotAllowed, ReportNotFound


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
