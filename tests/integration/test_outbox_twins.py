"""The same event told by two transactions at once is one message, queued by one of them."""

import threading

import pytest
from django.db import connection, transaction

from notifications.models import Message, MessageKind
from notifications.services import Outgoing, messages_record
from tests.factories import PlatformFactory, UserFactory


@pytest.mark.django_db(transaction=True)
def test_a_twin_waits_for_the_first_and_records_nothing_once_it_commits():
    platform = PlatformFactory()
    user = UserFactory()
    item = Outgoing(
        kind=MessageKind.OPERATOR_DIGEST,
        recipient=user,
        platform=platform,
        key="operator_digest:twins",
        context={"day": "2027-01-05"},
    )
    first_recorded = threading.Event()
    twin_waiting = threading.Event()
    results: dict[str, list[int]] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                results["first"] = messages_record([item])
                first_recorded.set()
                # Hold the row uncommitted while the twin tries the same key.
                twin_waiting.wait(timeout=30)
        finally:
            connection.close()

    def twin() -> None:
        try:
            first_recorded.wait(timeout=30)
            with transaction.atomic():
                # PostgreSQL makes this insert wait for the first transaction's outcome.
                threading.Timer(0.5, twin_waiting.set).start()
                results["twin"] = messages_record([item])
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=twin)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert results["first"] == list(Message.objects.values_list("pk", flat=True))
    assert results["twin"] == []
