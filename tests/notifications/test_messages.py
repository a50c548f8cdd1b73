"""Every message, rendered in French and English, to the right people, with its invitation."""

from email.mime.base import MIMEBase

import pytest
import time_machine
from django.test import TestCase
from icalendar import Calendar

from bookings.ical import booking_uid
from bookings.models import BookingStatus
from bookings.services import (
    booking_approve,
    booking_cancel,
    booking_create,
    booking_create_series,
    booking_move,
    booking_reject,
    no_shows_mark,
)
from notifications.models import Message, MessageKind, MessageStatus
from notifications.services import digests_queue, message_send
from platforms.services import (
    closure_create,
    qualification_grant,
    qualification_refuse,
    qualification_request,
)
from tests.conftest import paris

pytestmark = pytest.mark.django_db

START, END = paris(2027, 1, 6, 10), paris(2027, 1, 6, 12)  # Wednesday


def to(mailoutbox, user):
    return [mail for mail in mailoutbox if mail.to == [user.email]]


def html_of(mail):
    return next(body for body, mimetype in mail.alternatives if mimetype == "text/html")


def invitation(mail):
    """The e-mail's iTIP attachment, parsed back: (method parameter, calendar)."""
    parts = [part for part in mail.attachments if isinstance(part, MIMEBase)]
    assert len(parts) == 1, "one invitation expected"
    part = parts[0]
    assert part.get_content_type() == "text/calendar"
    return part.get_param("method"), Calendar.from_ical(part.get_payload(decode=True))


def only_event(calendar):
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return events[0]


@pytest.fixture
def book(world, frozen_now, django_capture_on_commit_callbacks):
    def make(user=None, machine=None, start=START, end=END, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return booking_create(
                machine=machine or world.machine,
                company=world.company,
                user=user or world.member,
                start=start,
                end=end,
                **kwargs,
            )

    return make


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run a service and the sends it queues on commit."""

    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run


@pytest.mark.parametrize(
    ("language", "subject", "heading", "when"),
    [
        (
            "fr",
            "Réservation confirmée : Fraiseuse 5 axes, mercredi 6 janvier 2027, 10:00",
            "Votre réservation est confirmée",
            "mercredi 6 janvier 2027, 10:00–12:00",
        ),
        (
            "en",
            "Booking confirmed: Fraiseuse 5 axes, Wednesday 6 January 2027, 10:00",
            "Your booking is confirmed",
            "Wednesday 6 January 2027, 10:00–12:00",
        ),
    ],
)
def test_the_member_who_booked_gets_a_confirmation_in_their_language_with_an_invitation(
    world, book, mailoutbox, client, language, subject, heading, when
):
    # given
    world.member.preferred_language = language
    world.member.save()

    # when
    booking = book()

    # then: one e-mail, to the member only (the admin asked for no copies)
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["john@pme.example.fr"]
    assert mail.subject == subject
    assert mail.from_email == "Plateforme Usinage Lyon <noreply@example.fr>"
    assert mail.reply_to == ["contact@usinage-lyon.example.fr"]
    for body in (mail.body, html_of(mail)):
        assert heading in body
        assert when in body
        assert "Mécanique Martin" in body
        # the platform's name and contact in every message
        assert "contact@usinage-lyon.example.fr" in body
        assert "04 72 00 00 00" in body
        # where it is, how to get in, the booking's own page and the list of bookings
        assert "69007 Lyon" in body and "bâtiment B" in body
        assert f"/bookings/{booking.pk}/" in body and "/bookings/" in body
    assert "<style" not in html_of(mail), "CSS is inlined"
    assert 'style="' in html_of(mail)
    # and the invitation is the feed's event: same UID, same SEQUENCE
    method, calendar = invitation(mail)
    assert method == "REQUEST" == str(calendar["METHOD"])
    event = only_event(calendar)
    assert str(event["UID"]) == booking_uid(booking)
    assert event["SEQUENCE"] == booking.version == 1
    assert event.decoded("DTSTART") == START
    assert event.decoded("DTEND") == END
    assert str(event["ATTENDEE"]) == "mailto:john@pme.example.fr"
    feed = Calendar.from_ical(client.get(f"/ical/company/{world.company.ical_token}.ics").content)
    feed_event = only_event(feed)
    assert str(feed_event["UID"]) == str(event["UID"])
    assert feed_event["SEQUENCE"] == event["SEQUENCE"]
    # the outbox row records what was sent
    message = Message.objects.get()
    assert message.status == MessageStatus.SENT
    assert message.subject == subject
    assert message.to_email == "john@pme.example.fr"
    assert mail.extra_headers["Message-ID"] == message.message_id


def test_a_series_is_one_confirmation_listing_every_date_with_one_event_each(
    world, frozen_now, mailoutbox, commit
):
    bookings = commit(
        booking_create_series,
        machine=world.machine,
        company=world.company,
        user=world.member,
        start=START,
        end=END,
        frequency="weekly",
        count=3,
    )

    (mail,) = mailoutbox
    assert "Wednesday 13 January 2027, 10:00–12:00" in mail.body
    assert "Wednesday 20 January 2027, 10:00–12:00" in mail.body
    _, calendar = invitation(mail)
    assert sorted(str(e["UID"]) for e in calendar.walk("VEVENT")) == sorted(
        booking_uid(b) for b in bookings
    )


def test_company_admins_who_asked_get_a_copy_of_members_confirmations(world, book, mailoutbox):
    world.admin.wants_copies = True
    world.admin.save()

    book()

    (copy,) = to(mailoutbox, world.admin)
    assert copy.subject.startswith("Copie : John Smith a réservé Fraiseuse 5 axes")
    assert "Mécanique Martin" in copy.body
    assert len(to(mailoutbox, world.member)) == 1


def test_a_booking_that_needs_approval_tells_the_member_and_asks_the_operators(
    world, book, mailoutbox, commit
):
    # given
    world.machine.requires_approval = True
    world.machine.save()

    # when
    booking = book()

    # then
    (pending,) = to(mailoutbox, world.member)
    assert pending.subject.startswith("Booking awaiting approval: Fraiseuse 5 axes")
    assert not [p for p in pending.attachments if isinstance(p, MIMEBase)], "nothing to add yet"
    (ask,) = to(mailoutbox, world.operator)
    assert ask.subject == (
        "À valider : Mécanique Martin sur Fraiseuse 5 axes, mercredi 6 janvier 2027, 10:00"
    )
    assert "John Smith" in ask.body

    # when: the operator approves
    mailoutbox.clear()
    commit(booking_approve, booking=booking, user=world.operator)

    # then: the member's approval carries the invitation at the booking's new version
    (approved,) = mailoutbox
    assert approved.to == [world.member.email]
    assert approved.subject.startswith("Booking approved:")
    _, calendar = invitation(approved)
    assert only_event(calendar)["SEQUENCE"] == 2


def test_a_rejection_gives_the_operators_reason_in_the_members_language(
    world, book, mailoutbox, commit
):
    world.machine.requires_approval = True
    world.machine.save()
    world.member.preferred_language = "fr"
    world.member.save()
    booking = book()
    mailoutbox.clear()

    commit(booking_reject, booking=booking, user=world.operator, reason="Broche en révision")

    (mail,) = mailoutbox
    assert mail.subject.startswith("Réservation refusée : Fraiseuse 5 axes")
    assert "Broche en révision" in mail.body
    assert "Broche en révision" in html_of(mail)


def test_a_move_sends_the_updated_invitation_and_says_when_it_was(world, book, mailoutbox, commit):
    booking = book()
    mailoutbox.clear()

    moved = commit(
        booking_move,
        booking=booking,
        user=world.member,
        start=paris(2027, 1, 7, 14),
        end=paris(2027, 1, 7, 16),
    )

    (mail,) = mailoutbox
    assert mail.subject == "Booking moved: Fraiseuse 5 axes, now Thursday 7 January 2027, 14:00"
    assert "Previously: Wednesday 6 January 2027, 10:00–12:00" in mail.body
    method, calendar = invitation(mail)
    event = only_event(calendar)
    assert method == "REQUEST"
    assert str(event["UID"]) == booking_uid(booking)
    assert event["SEQUENCE"] == moved.version == 2
    assert event.decoded("DTSTART") == paris(2027, 1, 7, 14)


def test_a_late_cancellation_by_the_member_is_flagged_to_the_operators(world, book, mailoutbox):
    booking = book()
    mailoutbox.clear()

    with (
        time_machine.travel(paris(2027, 1, 5, 18), tick=False),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        booking_cancel(booking=booking, user=world.member, reason="Commande annulée")

    (mine,) = to(mailoutbox, world.member)
    assert "You have cancelled your booking of Fraiseuse 5 axes." in mine.body
    assert "recorded as late" in mine.body
    method, calendar = invitation(mine)
    assert method == "CANCEL"
    assert str(only_event(calendar)["STATUS"]) == "CANCELLED"
    assert only_event(calendar)["SEQUENCE"] == 2
    (theirs,) = to(mailoutbox, world.operator)
    assert theirs.subject.startswith("Annulation tardive par Mécanique Martin")
    assert "Commande annulée" in theirs.body


def test_an_operator_cancelling_tells_the_member_why_and_not_the_operators(
    world, book, mailoutbox, commit
):
    booking = book()
    mailoutbox.clear()

    commit(booking_cancel, booking=booking, user=world.operator, reason="Panne de la broche")

    (mail,) = mailoutbox
    assert mail.to == [world.member.email]
    assert "The platform has cancelled your booking of Fraiseuse 5 axes." in mail.body
    assert "Panne de la broche" in mail.body


def test_an_operator_booking_for_a_company_tells_its_admins(world, book, mailoutbox):
    book(user=world.operator)

    assert [mail.to for mail in mailoutbox] == [[world.admin.email]]
    assert mailoutbox[0].subject.startswith("Réservation confirmée")


def test_a_closure_placed_over_a_booking_warns_its_member(world, book, mailoutbox, commit):
    booking = book()
    mailoutbox.clear()

    commit(
        closure_create,
        platform=world.platform,
        machine=world.machine,
        user=world.operator,
        title="Changement de broche",
        kind="maintenance",
        reason="Révision annuelle",
        start=paris(2027, 1, 6, 11),
        end=paris(2027, 1, 6, 15),
    )

    (mail,) = mailoutbox
    assert mail.to == [world.member.email]
    assert mail.subject.startswith("Maintenance over your booking: Fraiseuse 5 axes")
    assert "Changement de broche" in mail.body
    assert "Wednesday 6 January 2027, 11:00–15:00" in mail.body
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED, "the operator decides what to do"


def test_no_show_and_qualification_decisions_reach_the_member(world, book, mailoutbox, commit):
    booking = book()
    mailoutbox.clear()

    with (
        time_machine.travel(paris(2027, 1, 6, 15), tick=False),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        assert no_shows_mark() == 1
    qualification = qualification_request(user=world.member, machine=world.machine)
    commit(qualification_refuse, operator=world.operator, qualification=qualification)
    commit(
        qualification_grant,
        operator=world.operator,
        user=world.member,
        machine=world.machine,
    )

    subjects = [mail.subject for mail in to(mailoutbox, world.member)]
    assert subjects == [
        "Recorded as a no-show: Fraiseuse 5 axes, Wednesday 6 January 2027, 10:00",
        "Qualification refused: Fraiseuse 5 axes",
        "Qualification granted: Fraiseuse 5 axes",
    ]
    booking.refresh_from_db()
    assert booking.status == BookingStatus.NO_SHOW


def test_user_text_is_escaped_in_the_html_and_kept_as_written_in_the_text(world, book, mailoutbox):
    world.company.name = '<script>alert("x")</script>"><img src=x onerror=alert(1)>'
    world.company.save()

    book(note="<b>urgent</b>\nligne 2")

    mail = mailoutbox[0]
    html = html_of(mail)
    assert "<script>" not in html and "<img" not in html and "<b>urgent" not in html
    assert "&lt;script&gt;" in html
    assert "<b>urgent</b>" in mail.body, "the text part shows what was typed"


def test_a_name_with_a_line_break_cannot_inject_a_header(world, book, mailoutbox):
    world.machine.name = "Fraiseuse\r\nBcc: victim@example.com"
    world.machine.save()

    book()

    (mail,) = mailoutbox
    assert "\n" not in mail.subject and "\r" not in mail.subject
    assert mail.bcc == []
    assert Message.objects.get().status == MessageStatus.SENT


def test_an_inactive_recipient_is_not_written_to(world, book, mailoutbox):
    world.member.is_active = False
    world.member.save()

    book(user=world.admin)

    assert [mail.to for mail in mailoutbox] == [[world.admin.email]]


def test_a_message_no_longer_relevant_is_skipped(world, book, mailoutbox, commit):
    # given: an approval request recorded but not sent before the booking was decided
    world.machine.requires_approval = True
    world.machine.save()
    with time_machine.travel(paris(2027, 1, 4, 9), tick=False):
        booking = booking_create(
            machine=world.machine, company=world.company, user=world.member, start=START, end=END
        )
    ask = Message.objects.get(kind=MessageKind.OPERATOR_APPROVAL_NEEDED)
    commit(booking_approve, booking=booking, user=world.operator)
    mailoutbox.clear()

    # when
    outcome = message_send(message_id=ask.pk)

    # then
    assert outcome.status == MessageStatus.SKIPPED
    assert mailoutbox == []


def test_the_digest_lists_tomorrows_bookings_for_the_operators_once(world, book, mailoutbox):

    book(start=paris(2027, 1, 5, 9), end=paris(2027, 1, 5, 11))
    book(start=paris(2027, 1, 5, 14), end=paris(2027, 1, 5, 15))
    mailoutbox.clear()

    # before 17:00 local: nothing; after: one digest, however often the job runs
    with time_machine.travel(paris(2027, 1, 4, 16, 59), tick=False):
        assert digests_queue() == 0
    with (
        time_machine.travel(paris(2027, 1, 4, 17, 5), tick=False),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        assert digests_queue() == 1
        assert digests_queue() == 0
    with time_machine.travel(paris(2027, 1, 4, 23, 50), tick=False):
        assert digests_queue() == 0

    (digest,) = mailoutbox
    assert digest.to == [world.operator.email]
    assert digest.subject == "Demain : 2 réservations"
    assert "09:00–11:00" in digest.body and "14:00–15:00" in digest.body
    assert "Mécanique Martin (John Smith)" in digest.body


def test_an_empty_day_or_an_operator_who_declined_gets_no_digest(world, frozen_now, mailoutbox):

    with (
        time_machine.travel(paris(2027, 1, 4, 18), tick=False),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        digests_queue()
    assert mailoutbox == []
    assert Message.objects.get().status == MessageStatus.SKIPPED

    world.operator.wants_digests = False
    world.operator.save()
    with time_machine.travel(paris(2027, 1, 5, 18), tick=False):
        assert digests_queue() == 0


def test_messages_go_out_in_french_by_default(world, book, mailoutbox):
    book(user=world.admin)

    assert mailoutbox[0].subject.startswith("Réservation confirmée : Fraiseuse 5 axes, mercredi")
    assert "Votre réservation de Fraiseuse 5 axes est confirmée." in mailoutbox[0].body


def test_every_kind_has_its_template_pair_and_composer():
    from django.template.loader import get_template

    from notifications.compose import COMPOSERS

    assert set(COMPOSERS) == set(MessageKind.values)
    for kind in MessageKind.values:
        get_template(f"notifications/email/{kind}.txt")
        get_template(f"notifications/email/{kind}.html")
