"""A use running past its end into the next booking (issue 30, 2): both bookings' people are
told once, through a real SMTP server, and not at all once the use stopped; the operator sees
late starts and overruns on their day and on the booking's page."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client, TestCase

from bookings.selectors.measure import usage_timing
from bookings.services import (
    booking_create,
    overruns_announce,
    usage_measure_start,
    usage_measure_stop,
)
from notifications.models import Message, MessageKind
from notifications.services import message_send
from tests.conftest import paris
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

START = paris(2027, 1, 11, 10)


@pytest.fixture
def pair(world, frozen_now):
    """The member's booking 10:00–11:00, another company's 11:00–12:00 on the same machine."""
    other = MembershipFactory(user__email="paul@tolerie.example.fr", company__name="Tôlerie Durand")
    with TestCase.captureOnCommitCallbacks(execute=True):
        mine = booking_create(
            machine=world.machine,
            company=world.company,
            user=world.member,
            start=START,
            end=START + timedelta(hours=1),
        )
        theirs = booking_create(
            machine=world.machine,
            company=other.company,
            user=other.user,
            start=START + timedelta(hours=1),
            end=START + timedelta(hours=2),
        )
    return mine, theirs, other.user


def at(moment):
    return time_machine.travel(moment, tick=False)


def test_both_are_told_once_of_a_use_running_into_the_next_booking(world, pair, smtp):
    mine, _theirs, paul = pair
    with at(START + timedelta(minutes=25)):
        mine = usage_measure_start(booking=mine, user=world.member)
    smtp.received.clear()
    with at(START + timedelta(minutes=58)), TestCase.captureOnCommitCallbacks(execute=True):
        assert overruns_announce() == 0  # not past its end yet

    for minutes in (65, 70, 75):  # the job runs every 5 minutes while it lasts
        with (
            at(START + timedelta(minutes=minutes)),
            TestCase.captureOnCommitCallbacks(execute=True),
        ):
            assert overruns_announce() == 1

    to = {m["To"]: m["Subject"].strip() for m in smtp.received}
    assert len(smtp.received) == 2
    assert to[world.member.email] == "Your use of Fraiseuse 5 axes runs into the next booking"
    assert to[paul.email] == "Fraiseuse 5 axes est encore utilisée avant votre réservation"
    body = next(m for m in smtp.received if m["To"] == paul.email).get_body(("plain",))
    assert "11:00" in body.get_content() and "12:00" not in body.get_content()


def test_a_use_stopped_before_the_e_mail_leaves_is_not_told(world, pair, smtp):
    mine, _theirs, _paul = pair
    with at(START):
        mine = usage_measure_start(booking=mine, user=world.member)
    with at(START + timedelta(minutes=65)):
        overruns_announce()  # recorded; sending waits for the commit
        usage_measure_stop(booking=mine, user=world.member)
        for message in Message.objects.filter(
            kind__in=(MessageKind.USAGE_OVERRUN, MessageKind.NEXT_DELAYED)
        ):
            assert message_send(message_id=message.pk).status == "skipped"

    assert not [m for m in smtp.received if "encore utilisée" in m["Subject"]]


def test_the_operator_sees_a_late_start_and_an_overrun(world, pair):
    mine, _theirs, _paul = pair
    with at(START + timedelta(minutes=25)):
        mine = usage_measure_start(booking=mine, user=world.member)
    operator = Client(HTTP_ACCEPT_LANGUAGE="fr")
    operator.force_login(world.operator)

    with at(START + timedelta(minutes=72)):
        timing = usage_timing(mine)
        day = operator.get("/operator/").content.decode()
        page = operator.get(f"/operator/bookings/{mine.pk}/")

    assert (timing.late, timing.overrun, timing.running) == (25, 12, True)
    assert "démarré avec 25 min de retard" in day
    assert "encore en cours, 12 min après sa fin" in day
    # A use still running (no end yet) once made this page fail.
    assert page.status_code == 200
    assert "mesurée à la machine" in page.content.decode()

    with at(START + timedelta(minutes=80)):
        stopped = usage_measure_stop(booking=mine, user=world.member)
        day = operator.get("/operator/").content.decode()
    assert (usage_timing(stopped).overrun, usage_timing(stopped).running) == (20, False)
    assert "a dépassé de 20 min" in day
