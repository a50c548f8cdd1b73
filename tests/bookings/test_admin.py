"""Staff book and cancel through the admin, which goes through the booking services."""

import pytest

from bookings.models import Booking, BookingStatus, Company
from platforms.models import Closure, ClosureInterval
from tests.conftest import paris
from tests.factories import MachineFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture
def staff_client(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def add_booking(client, machine, company, start_time, end_time, day="06/01/2027", **extra):
    return client.post(
        "/admin/bookings/booking/add/",
        {
            "machine": machine.pk,
            "company": company.pk,
            "start_0": day,
            "start_1": start_time,
            "end_0": day,
            "end_1": end_time,
            "note": "Réservé au téléphone",
        },
        **extra,
    )


def test_staff_books_a_machine_from_the_admin(staff_client, machine, member):
    response = add_booking(staff_client, machine, member.company, "10:00", "12:00")

    assert response.status_code == 302, response.content.decode()[:2000]
    booking = Booking.objects.get()
    assert booking.start == paris(2027, 1, 6, 10)
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.note == "Réservé au téléphone"


def test_the_success_message_and_the_list_speak_the_platform_time_newest_first(
    staff_client, machine, member
):
    add_booking(staff_client, machine, member.company, "10:00", "12:00")

    response = add_booking(
        staff_client, machine, member.company, "14:00", "15:00", day="07/01/2027", follow=True
    )

    page = response.content.decode()
    assert "2027-01-07 14:00" in page  # the success message: Paris time, not UTC's 13:00
    assert "2027-01-07 13:00" not in page
    listing = staff_client.get("/admin/bookings/booking/").content.decode()
    newest, oldest = (
        listing.index("2027-01-07 14:00–15:00"),
        listing.index("2027-01-06 10:00–12:00"),
    )
    assert newest < oldest


def test_a_refused_admin_booking_shows_the_rule_in_french_and_writes_nothing(
    staff_client, machine, member
):
    add_booking(staff_client, machine, member.company, "10:00", "12:00")

    response = add_booking(staff_client, machine, member.company, "11:00", "13:00")

    assert response.status_code == 200
    assert "Ce créneau n’est plus disponible" in response.content.decode()
    assert Booking.objects.count() == 1


def test_the_admin_cancel_action_asks_for_a_reason_then_goes_through_the_service(
    staff_client, machine, member
):
    add_booking(staff_client, machine, member.company, "10:00", "12:00")
    booking = Booking.objects.get()
    action = {"action": "cancel_bookings", "_selected_action": [booking.pk]}

    asked = staff_client.post("/admin/bookings/booking/", action)
    assert "Motif, transmis à l’entreprise" in asked.content.decode()
    assert Booking.objects.get().status == BookingStatus.CONFIRMED

    done = staff_client.post(
        "/admin/bookings/booking/",
        {**action, "apply": "1", "reason": "Panne de la machine"},
        follow=True,
    )

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.cancellation_reason == "Panne de la machine"
    assert booking.version == 2
    assert "1 réservation annulée" in done.content.decode()


def test_the_admin_approves_and_rejects_pending_bookings(staff_client, member):
    machine = MachineFactory(requires_approval=True)
    add_booking(staff_client, machine, member.company, "10:00", "12:00")
    add_booking(staff_client, machine, member.company, "14:00", "16:00")
    first, second = Booking.objects.order_by("start")

    staff_client.post(
        "/admin/bookings/booking/",
        {"action": "approve_bookings", "_selected_action": [first.pk]},
    )
    staff_client.post(
        "/admin/bookings/booking/",
        {
            "action": "reject_bookings",
            "_selected_action": [second.pk],
            "apply": "1",
            "reason": "Réservée à la formation",
        },
    )

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (BookingStatus.CONFIRMED, BookingStatus.REJECTED)
    assert second.rejection_reason == "Réservée à la formation"


def test_a_closure_added_in_the_admin_lists_the_bookings_it_overlaps(staff_client, machine, member):
    add_booking(staff_client, machine, member.company, "10:00", "12:00")

    response = staff_client.post(
        "/admin/platforms/closure/add/",
        {
            "platform": machine.platform.pk,
            "machine": machine.pk,
            "kind": "maintenance",
            "title": "Changement de la lentille",
            "reason": "",
            "start_0": "06/01/2027",
            "start_1": "08:00",
            "end_0": "06/01/2027",
            "end_1": "11:00",
            "frequency": "WEEKLY",
            "params": "",
            "until_0": "",
            "until_1": "",
        },
        follow=True,
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "chevauche des réservations" in page
    assert Closure.objects.get().event.rule.frequency == "WEEKLY"
    assert ClosureInterval.objects.filter(machine=machine).count() > 1


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/accounts/user/",
        "/admin/platforms/platform/",
        "/admin/platforms/machine/",
        "/admin/bookings/company/",
        "/admin/bookings/membership/",
        "/admin/bookings/booking/",
        "/admin/bookings/booking/add/",
        "/admin/platforms/closure/",
        "/admin/platforms/closure/add/",
        "/admin/platforms/qualification/",
    ],
)
def test_admin_pages_open(staff_client, machine, url):
    assert staff_client.get(url).status_code == 200


def test_the_admin_moves_a_booking_through_the_service(staff_client, machine, member):
    add_booking(staff_client, machine, member.company, "10:00", "12:00")
    add_booking(staff_client, machine, member.company, "14:00", "16:00")
    first, second = Booking.objects.order_by("start")
    move = {"action": "move_booking", "_selected_action": [first.pk], "apply": "1"}

    staff_client.post(
        "/admin/bookings/booking/",
        {
            **move,
            "start_0": "07/01/2027",
            "start_1": "09:00",
            "end_0": "07/01/2027",
            "end_1": "11:00",
        },
    )
    refused = staff_client.post(
        "/admin/bookings/booking/",
        {
            **move,
            "start_0": "06/01/2027",
            "start_1": "15:00",
            "end_0": "06/01/2027",
            "end_1": "17:00",
        },
        follow=True,
    )

    first.refresh_from_db()
    assert first.start == paris(2027, 1, 7, 9)
    assert "Ce créneau n’est plus disponible" in refused.content.decode()
    second.refresh_from_db()
    assert second.start == paris(2027, 1, 6, 14)


def test_staff_enter_a_siret_as_it_is_written_and_a_wrong_one_is_refused(staff_client):
    form = {
        "name": "Usinage Rhône",
        "size_class": "small",
        "region": "84",
        "naf_code": "",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }

    refused = staff_client.post(
        "/admin/bookings/company/add/", {**form, "siret": "732 829 320 00075"}
    )
    created = staff_client.post(
        "/admin/bookings/company/add/", {**form, "siret": "732 829 320 00074"}
    )

    assert refused.status_code == 200
    assert "clé de contrôle" in refused.content.decode()
    assert created.status_code == 302
    assert Company.objects.get().siret == "73282932000074"
