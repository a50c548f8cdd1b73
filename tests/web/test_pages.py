"""The SME's pages, per role, and their refusals."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken, User
from accounts.services import token_create
from bookings.models import Booking, BookingStatus, Company, Membership
from bookings.services import booking_create, company_validate
from tests.conftest import paris
from tests.factories import CompanyFactory, MachineFactory, UserFactory

pytestmark = pytest.mark.django_db


def _book(member: Any, machine: Any, hour: int = 10) -> Booking:
    return booking_create(
        machine=machine,
        company=member.company,
        user=member,
        start=paris(2027, 1, 6, hour),
        end=paris(2027, 1, 6, hour + 1),
    )


def test_signed_out_home_shows_the_network_and_a_search(client: Any, laser: Any) -> None:
    # when
    page = client.get("/")
    # then
    text = page.content.decode()
    assert page.status_code == 200
    assert 'action="/machines/"' in text
    assert "Découpe laser" in text  # the category offered
    assert "Se connecter" in text  # French by default


def test_dashboard_lists_upcoming_and_pending_bookings(
    signed_in: Any, member: Any, frozen_now: Any
) -> None:
    # given
    confirmed = _book(member, MachineFactory(name="Tour CNC"))
    pending = _book(member, MachineFactory(name="Robot soudeur", requires_approval=True))
    # when
    page = signed_in(member).get("/")
    # then
    upcoming, awaiting = page.context["upcoming"], page.context["pending"]
    assert [b.pk for b in upcoming] == [confirmed.pk]
    assert [b.pk for b in awaiting] == [pending.pk]
    assert member.company.ical_token in page.content.decode()


def test_dashboard_says_a_quota_gone_over_in_words_with_the_machines_platform(
    signed_in: Any, member: Any, frozen_now: Any
) -> None:
    # given: two machines of one name; on one, the platform booked the company past its quota
    over = MachineFactory(name="Tour CNC", weekly_quota_hours=Decimal("8"))
    within = MachineFactory(name="Tour CNC", weekly_quota_hours=Decimal("8"))
    for machine, hours in ((over, 9), (within, 2)):
        Booking.objects.create(
            machine=machine,
            company=member.company,
            start=paris(2027, 1, 5, 8),
            end=paris(2027, 1, 5, 8 + hours),
        )

    # when
    text = signed_in(member).get("/").content.decode()

    # then
    assert f"Tour CNC ({over.platform.name})" in text
    assert f"Tour CNC ({within.platform.name})" in text
    assert "9,0 h sur 8,0 h" in text and "1,0 h au-delà du quota" in text
    assert text.count("au-delà du quota") == 1


def test_an_operator_with_no_company_of_their_own_lands_on_their_day(
    signed_in: Any, member: Any
) -> None:
    operator = UserFactory()
    MachineFactory().platform.operators.add(operator)
    # an operator lands on their work …
    assert signed_in(operator).get("/")["Location"] == reverse("web:operator")
    # … an operator who is also a company's member keeps the company's dashboard
    MachineFactory().platform.operators.add(member)
    assert signed_in(member).get("/").status_code == 200


def test_dashboard_tells_a_company_waiting_for_validation(signed_in: Any, member: Any) -> None:
    Company.objects.filter(pk=member.company.pk).update(validated_at=None)
    page = signed_in(member).get("/")
    assert "En attente de validation" in page.content.decode()


def test_catalogue_filters_by_category_and_keeps_them_in_the_address(
    client: Any, laser: Any
) -> None:
    # given
    MachineFactory(name="Imprimante 3D", category="additive")
    # when
    page = client.get("/machines/", {"category": "laser"})
    # then
    names = [machine.name for machine, _slots in page.context["results"]]
    assert names == ["Découpe laser Trotec"]
    assert 'hx-push-url="true"' in page.content.decode()


def test_catalogue_answers_htmx_with_the_results_only(client: Any, laser: Any) -> None:
    page = client.get("/machines/", {"category": "laser"}, HTTP_HX_REQUEST="true")
    text = page.content.decode()
    assert "Découpe laser Trotec" in text
    assert "<html" not in text


def test_catalogue_refuses_bad_filters_in_the_form(client: Any, laser: Any) -> None:
    page = client.get("/machines/", {"available_from": "0001-01-01", "category": "<script>"})
    assert page.status_code == 200
    form = page.context["form"]
    assert "available_from" in form.errors and "category" in form.errors
    assert b"<script>" not in page.content


def test_search_with_dates_shows_only_machines_free_then(
    client: Any, frozen_now: Any, laser: Any
) -> None:
    # given: the other machine is closed all week (no opening hours)
    MachineFactory(name="Presse", platform__hours=[])
    # when
    page = client.get("/machines/", {"available_from": "2027-01-06", "available_to": "2027-01-08"})
    # then
    names = [machine.name for machine, _slots in page.context["results"]]
    assert names == ["Découpe laser Trotec"]
    first_slot = page.context["results"][0][1][0]
    assert first_slot[0] == paris(2027, 1, 6, 8)


def test_bookings_lists_own_company_upcoming_first(
    signed_in: Any, member: Any, make_member: Any, frozen_now: Any, laser: Any
) -> None:
    # given
    later = _book(member, laser, hour=14)
    sooner = _book(member, laser, hour=10)
    other = make_member()
    _book(other, laser, hour=16)
    # when
    page = signed_in(member).get("/bookings/")
    # then
    assert [b.pk for b in page.context["rows"]] == [sooner.pk, later.pk]


def test_bookings_put_last_week_on_the_first_page_after_what_is_coming(
    signed_in: Any, member: Any, frozen_now: Any, laser: Any
) -> None:
    # given: two upcoming bookings and thirty past ones, one a week, the last a week ago
    coming = [_book(member, laser, hour=hour) for hour in (14, 10)]
    past = [
        Booking.objects.create(
            machine=laser,
            company=member.company,
            start=paris(2026, 12, 28, 10) - timedelta(weeks=weeks),
            end=paris(2026, 12, 28, 11) - timedelta(weeks=weeks),
            status=BookingStatus.COMPLETED,
        )
        for weeks in range(30)
    ]

    # when
    page = signed_in(member).get("/bookings/")

    # then: upcoming soonest first, then the past latest first, each under its heading
    rows = [b.pk for b in page.context["rows"]]
    assert rows[:2] == [coming[1].pk, coming[0].pk]
    assert rows[2:] == [b.pk for b in past[:22]]
    text = page.content.decode()
    assert text.index("Prochaines réservations") < text.index("Réservations passées")


def test_bookings_filter_by_status(
    signed_in: Any, member: Any, frozen_now: Any, laser: Any
) -> None:
    kept = _book(member, laser, hour=10)
    gone = _book(member, laser, hour=12)
    Booking.objects.filter(pk=gone.pk).update(status=BookingStatus.CANCELLED)
    page = signed_in(member).get("/bookings/", {"status": "confirmed"})
    assert [b.pk for b in page.context["rows"]] == [kept.pk]


def test_bookings_filter_by_machine_offers_the_companys_machines_and_keeps_the_choice(
    signed_in: Any, member: Any, frozen_now: Any, laser: Any
) -> None:
    # given: a booking on the laser and one on a machine whose name needs escaping
    other = MachineFactory(name="Tour <CNC> & fraiseuse", platform=laser.platform)
    _book(member, laser, hour=10)
    on_other = _book(member, other, hour=12)
    # when
    page = signed_in(member).get("/bookings/", {"machine": str(other.pk)})
    # then: each machine is an option, the one chosen selected, names escaped
    text = page.content.decode()
    assert [b.pk for b in page.context["rows"]] == [on_other.pk]
    assert (
        f'<option value="{laser.pk}">Découpe laser Trotec — {laser.platform.name}</option>' in text
    )
    assert (
        f'<option value="{other.pk}" selected>Tour &lt;CNC&gt; &amp; fraiseuse — '
        f"{laser.platform.name}</option>"
    ) in text


@pytest.mark.parametrize("route", ["web:booking", "web:cancel", "web:move", "web:booking-ics"])
def test_another_companys_booking_is_not_found(
    route: str, signed_in: Any, member: Any, make_member: Any, frozen_now: Any, laser: Any
) -> None:
    # given
    theirs = _book(make_member(), laser)
    client = signed_in(member)
    # when
    seen = client.get(reverse(route, args=[theirs.pk]))
    posted = client.post(reverse(route, args=[theirs.pk]), {"reason": "x"})
    # then
    assert seen.status_code == 404 and posted.status_code in (404, 405)
    theirs.refresh_from_db()
    assert theirs.status == BookingStatus.CONFIRMED and theirs.version == 1


def test_cancel_states_the_policy_then_cancels(
    signed_in: Any, member: Any, frozen_now: Any, laser: Any
) -> None:
    # given: a booking two days ahead on a machine that asks 72 hours' notice to cancel freely
    booking = _book(member, MachineFactory(min_notice_hours=0))
    booking.machine.min_notice_hours = 72
    booking.machine.save()
    client = signed_in(member)
    # when
    page = client.get(reverse("web:cancel", args=[booking.pk]))
    done = client.post(reverse("web:cancel", args=[booking.pk]), {"reason": "Projet reporté"})
    # then
    assert "72 heures" in page.content.decode() and page.context["late"]
    assert done.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and booking.late_cancellation


def test_move_within_the_rules_and_refusal_in_the_form(
    signed_in: Any, member: Any, frozen_now: Any, laser: Any
) -> None:
    booking = _book(member, laser, hour=10)
    client = signed_in(member)
    refused = client.post(
        reverse("web:move", args=[booking.pk]),
        {"start": "2027-01-06T19:00", "end": "2027-01-06T20:00"},
    )
    moved = client.post(
        reverse("web:move", args=[booking.pk]),
        {"start": "2027-01-07T09:00", "end": "2027-01-07T10:00"},
    )
    assert refused.status_code == 422
    assert "pas ouverte sur la totalité" in refused.content.decode()
    assert moved.status_code == 302
    booking.refresh_from_db()
    assert booking.start == paris(2027, 1, 7, 9)


def test_ics_download_of_one_booking(
    signed_in: Any, member: Any, frozen_now: Any, laser: Any
) -> None:
    booking = _book(member, laser)
    answer = signed_in(member).get(reverse("web:booking-ics", args=[booking.pk]))
    assert answer["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in answer.content and b"DTSTART:20270106T090000Z" in answer.content


def test_pages_of_a_member_need_signing_in(client: Any) -> None:
    for path in ("/bookings/", "/profile/", "/machines/1/book/"):
        assert client.get(path).status_code == 302


# --- Sign-up, validation, invitations, password reset -----------------------------------

SIGN_UP = {
    "company_name": "Mécanique Dupont",
    "siret": "732 829 320 00074",
    "size_class": "small",
    "region": "84",
    "naf_code": "25.62B",
    "name": "Claire Dupont",
    "email": "claire@dupont.fr",
    "password1": "une-longue-phrase-secrete",
    "password2": "une-longue-phrase-secrete",
    "language": "fr",
}


def test_sign_up_registers_a_company_that_waits_for_validation(client: Any, laser: Any) -> None:
    # when
    answer = client.post("/signup/", SIGN_UP)
    # then
    assert answer.status_code == 302
    company = Company.objects.get(siret="73282932000074")
    assert company.validated_at is None and company.naf_code == "2562B"
    membership = Membership.objects.get(company=company)
    assert membership.user.email == "claire@dupont.fr" and membership.role == "admin"
    # nobody is signed in yet (the link sent to the address does it); once signed in, the new
    # admin cannot book yet
    assert answer["Location"] == reverse("signup-sent")
    assert not client.get("/").context["user"].is_authenticated
    client.force_login(User.objects.get(email="claire@dupont.fr"))
    page = client.get(reverse("web:machine", args=[laser.pk]))
    assert "en attente de validation" in page.content.decode()
    refused = client.post(
        reverse("web:book", args=[laser.pk]),
        {"start": "2027-01-06T10:00", "end": "2027-01-06T11:00", "company": company.pk},
    )
    assert refused.status_code == 422 and not Booking.objects.exists()
    assert "en attente de validation" in refused.content.decode()


def test_validated_company_books(client: Any, laser: Any, frozen_now: Any) -> None:
    client.post("/signup/", SIGN_UP)
    client.force_login(User.objects.get(email="claire@dupont.fr"))
    company = Company.objects.get(siret="73282932000074")
    operator = UserFactory()
    laser.platform.operators.add(operator)
    company_validate(company=company, user=operator)
    answer = client.post(
        reverse("web:book", args=[laser.pk]),
        {"start": "2027-01-06T10:00", "end": "2027-01-06T11:00", "company": company.pk},
    )
    assert answer.status_code == 302
    assert Booking.objects.get().company == company


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("siret", "73282932000075", "clé de contrôle"),
        ("siret", "1234", "14 chiffres"),
        ("password2", "autre-chose-encore", "diffèrent"),
        ("email", "pas-une-adresse", "adresse e-mail valide"),
    ],
)
def test_sign_up_refusals_in_the_form(
    client: Any, db: Any, field: str, value: str, message: str
) -> None:
    answer = client.post("/signup/", {**SIGN_UP, field: value})
    assert answer.status_code == 422
    assert message in answer.content.decode()
    assert not Company.objects.exists()


def test_sign_up_of_a_known_siret_or_e_mail(
    client: Any, db: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from bookings.siret import siret_complete

    CompanyFactory(siret="73282932000074")
    UserFactory(email="deja@dupont.fr")
    twice = client.post("/signup/", SIGN_UP)
    assert twice.status_code == 422 and "déjà" in twice.content.decode()
    # an address with an account: the same answer as a new sign-up; its owner is told
    with django_capture_on_commit_callbacks(execute=True):
        taken = client.post(
            "/signup/", {**SIGN_UP, "siret": "44306184100047", "email": "deja@dupont.fr"}
        )
        fresh = client.post(
            "/signup/",
            {**SIGN_UP, "siret": siret_complete("5520813176652"), "email": "neuve@dupont.fr"},
        )
    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"] == reverse("signup-sent")
    assert Company.objects.filter(siret="44306184100047").count() == 0
    told = [message for message in mail.outbox if message.to == ["deja@dupont.fr"]]
    assert len(told) == 1 and "déjà un compte" in told[0].body


def test_a_siren_refused_stays_refused_and_another_establishment_asks_to_join(
    client: Any, db: Any
) -> None:
    from bookings.siret import siret_complete

    refused = CompanyFactory(siret="73282932000074", validated_at=None)
    Company.objects.filter(pk=refused.pk).update(
        refused_at="2026-11-01T10:00Z", refusal_reason="Inconnue"
    )
    # the same SIREN (732 829 320), another establishment
    again = client.post("/signup/", {**SIGN_UP, "siret": siret_complete("7328293200003")})
    assert again.status_code == 422 and "lev" in again.content.decode()
    Company.objects.filter(pk=refused.pk).update(refused_at=None, validated_at="2026-11-02T10:00Z")
    joined = client.post("/signup/", {**SIGN_UP, "siret": siret_complete("7328293200003")})
    assert joined.status_code == 422 and "vous inviter" in joined.content.decode()
    assert Company.objects.count() == 1


def test_sign_ups_from_one_address_stop_at_the_limit(client: Any, db: Any, settings: Any) -> None:
    from bookings.siret import siret_complete

    settings.SIGNUPS_PER_CLIENT_PER_HOUR = 2
    answers = [
        client.post(
            "/signup/",
            {
                **SIGN_UP,
                "siret": siret_complete(f"{100000000 + n * 7919:09d}0001"),
                "email": f"n{n}@dupont.fr",
            },
        ).status_code
        for n in range(4)
    ]
    assert answers == [302, 302, 429, 429]
    assert Company.objects.count() == 2


def test_operator_validates_from_the_admin_action_only_when_allowed(member: Any, db: Any) -> None:
    from bookings.exceptions import NotAllowed

    Company.objects.filter(pk=member.company.pk).update(validated_at=None)
    with pytest.raises(NotAllowed):
        company_validate(company=member.company, user=member)
    member.company.refresh_from_db()
    assert member.company.validated_at is None


def test_plain_member_cannot_invite(signed_in: Any, member: Any) -> None:
    answer = signed_in(member).post(
        reverse("web:members", args=[member.company.pk]), {"email": "x@y.fr", "role": "admin"}
    )
    assert answer.status_code == 403
    assert not mail.outbox and Membership.objects.count() == 1


def test_members_page_of_another_company_is_not_found(
    signed_in: Any, member: Any, company_admin: Any
) -> None:
    answer = signed_in(member).get(reverse("web:members", args=[company_admin.company.pk]))
    assert answer.status_code == 404


def test_password_reset_sends_a_link_to_the_configured_site(
    client: Any, member: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SITE_URL = "https://reservations.example.fr"
    settings.ALLOWED_HOSTS = ["*"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/password-reset/", {"email": member.email}, HTTP_HOST="evil.example.com")
    assert len(mail.outbox) == 1
    assert "https://reservations.example.fr/password-reset/" in mail.outbox[0].body
    assert "evil.example.com" not in mail.outbox[0].body


def test_the_password_reset_e_mail_is_in_the_persons_language(
    client: Any, member: Any, django_capture_on_commit_callbacks: Any
) -> None:
    member.preferred_language = "en"
    member.save(update_fields=["preferred_language"])
    # asked from a page in French
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/password-reset/", {"email": member.email}, HTTP_ACCEPT_LANGUAGE="fr")
    (message,) = mail.outbox
    assert "password" in message.body.lower() and "mot de passe" not in message.body.lower()


# --- Profile: API keys, language ---------------------------------------------------------


def test_profile_creates_shows_once_and_revokes_api_keys(signed_in: Any, member: Any) -> None:
    client = signed_in(member)
    created = client.post("/profile/tokens/", {"name": "Export ERP"})
    # The answer is a redirect to the profile (issue 25, 4): a reload or a language switch
    # there asks for a page, never makes a second key.
    assert created.status_code == 302 and created["Location"] == reverse("profile")
    shown = client.get(created["Location"])
    raw = shown.context["new_token"]
    assert raw and raw in shown.content.decode()
    assert "no-store" in shown["Cache-Control"]
    token = ApiToken.objects.get(user=member)
    assert raw not in client.get("/profile/").content.decode()
    switched = client.post("/language/", {"language": "en", "next": "/profile/"}, follow=True)
    assert switched.status_code == 200 and ApiToken.objects.filter(user=member).count() == 1
    client.post(reverse("token-revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_key_for_reading_only_is_made_and_shown_as_such(signed_in: Any, member: Any) -> None:
    client = signed_in(member)

    client.post("/profile/tokens/", {"name": "Tableau de bord", "read_only": "on"})
    client.post("/profile/tokens/", {"name": "Export ERP"})

    kinds = dict(ApiToken.objects.filter(user=member).values_list("name", "read_only"))
    assert kinds == {"Tableau de bord": True, "Export ERP": False}
    page = client.get("/profile/").content.decode()
    assert page.count("Lecture seule") == 1


def test_another_persons_api_key_cannot_be_revoked(signed_in: Any, member: Any) -> None:
    theirs, _raw = token_create(user=UserFactory(), name="theirs")
    answer = signed_in(member).post(reverse("token-revoke", args=[theirs.pk]))
    theirs.refresh_from_db()
    assert answer.status_code == 404 and theirs.revoked_at is None


def test_language_switch_is_remembered_on_the_account(signed_in: Any, member: Any) -> None:
    client = signed_in(member)
    client.post("/language/", {"language": "en", "next": "/machines/"})
    member.refresh_from_db()
    assert member.preferred_language == "en"
    assert "Machines of the network" in client.get("/machines/").content.decode()
    assert client.post("/language/", {"language": "xx"}).status_code == 400


def test_every_page_has_the_header_and_no_inline_script_or_style(
    signed_in: Any, member: Any, frozen_now: Any, laser: Any
) -> None:
    booking = _book(member, laser)
    client = signed_in(member)
    for path in (
        "/",
        "/machines/",
        reverse("web:machine", args=[laser.pk]),
        reverse("web:book", args=[laser.pk]),
        "/bookings/",
        reverse("web:booking", args=[booking.pk]),
        reverse("web:cancel", args=[booking.pk]),
        reverse("web:move", args=[booking.pk]),
        reverse("web:members", args=[member.company.pk]),
        "/profile/",
    ):
        text = client.get(path).content.decode()
        assert member.get_full_name() in text, path
        assert 'action="/language/"' in text and 'action="/logout/"' in text, path
        assert " style=" not in text and " onclick=" not in text and " onchange=" not in text, path
        for script in text.split("<script")[1:]:
            assert " src=" in script.split(">")[0], path


def test_booking_made_yesterday_shows_as_past(signed_in: Any, member: Any, laser: Any) -> None:
    now = timezone.now()
    Booking.objects.create(
        machine=laser,
        company=member.company,
        start=now - timedelta(days=1, hours=2),
        end=now - timedelta(days=1),
        status=BookingStatus.COMPLETED,
    )
    page = signed_in(member).get("/bookings/")
    assert page.context["rows"][0].past == 1
