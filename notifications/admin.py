from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin import ReadOnlyAdmin

from .models import Message, MessageStatus
from .services import message_retry


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    """The outbox, read-only: staff watch what was sent, what failed and why, and send a
    failed message again."""

    list_display = (
        "created_local",
        "kind",
        "recipient",
        "platform",
        "status",
        "attempts",
        "sent_local",
    )
    list_filter = ("status", "kind", "platform")
    search_fields = ("idempotency_key", "to_email", "recipient__email", "subject")
    list_select_related = ("recipient", "platform")
    date_hierarchy = "created_at"
    actions = ("retry",)
    readonly_fields = [field.name for field in Message._meta.fields]

    def _local(self, obj: Message, moment: Any) -> str:
        if moment is None:
            return "—"
        zone = obj.platform.tz if obj.platform is not None else timezone.get_default_timezone()
        return timezone.localtime(moment, zone).strftime("%Y-%m-%d %H:%M")

    @admin.display(description=_("created"), ordering="created_at")
    def created_local(self, obj: Message) -> str:
        return self._local(obj, obj.created_at)

    @admin.display(description=_("sent"), ordering="sent_at")
    def sent_local(self, obj: Message) -> str:
        return self._local(obj, obj.sent_at)

    @admin.action(description=_("Send the selected failed e-mails again"))
    def retry(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        # The action is staff's, though the change permission is refused to everyone.
        retried = sum(
            message_retry(message=message)
            for message in queryset.filter(status=MessageStatus.FAILED)
        )
        self.message_user(
            request,
            ngettext("%(count)d e-mail queued again.", "%(count)d e-mails queued again.", retried)
            % {"count": retried},
            messages.SUCCESS if retried else messages.WARNING,
        )
