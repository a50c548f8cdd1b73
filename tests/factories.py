"""factory_boy factories with sensible defaults: a platform open every day 08:00–18:00 in
Europe/Paris, a machine with 30-minute slots, a company with a valid SIRET."""

from datetime import time
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from accounts.models import User
from bookings.models import Company, CompanySize, Membership, MembershipRole
from bookings.siret import siret_complete
from platforms.models import Machine, MachineCategory, OpeningHours, Platform, Region
from platforms.services import machine_create, platform_create


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.fr")
    display_name = factory.Sequence(lambda n: f"Utilisateur {n}")
    password = factory.django.Password("secret-pass-123")
    # A person who has been using their address (a sign-up's is proven by its link).
    email_confirmed_at = factory.LazyFunction(timezone.now)


class PlatformFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Platform
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Plateforme {n}")
    slug = factory.Sequence(lambda n: f"plateforme-{n}")
    region = Region.ILE_DE_FRANCE
    city = "Paris"
    timezone = "Europe/Paris"

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Platform:
        return platform_create(**kwargs)

    @factory.post_generation
    def hours(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        """Open every day 08:00–18:00 unless given ``hours=[(weekday, opens, closes), ...]``."""
        if not create:
            return
        ranges = (
            extracted
            if extracted is not None
            else [(day, time(8, 0), time(18, 0)) for day in range(7)]
        )
        OpeningHours.objects.bulk_create(
            OpeningHours(platform=self, weekday=day, opens=opens, closes=closes)
            for day, opens, closes in ranges
        )


class MachineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Machine

    platform = factory.SubFactory(PlatformFactory)
    name = factory.Sequence(lambda n: f"Machine {n}")
    slug = factory.Sequence(lambda n: f"machine-{n}")
    category = MachineCategory.LASER_CUTTING
    hourly_rate = Decimal("60.00")
    slot_minutes = 30
    min_minutes = 30
    max_minutes = 480
    min_notice_hours = 24
    max_advance_days = 90
    buffer_minutes = 0

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Machine:
        return machine_create(**kwargs)


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"PME {n}")
    siret = factory.Sequence(lambda n: siret_complete(f"{400000000 + n:09d}0001"))
    size_class = CompanySize.SMALL
    region = Region.ILE_DE_FRANCE


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    company = factory.SubFactory(CompanyFactory)
    role = MembershipRole.MEMBER
