"""A platform's tablet in kiosk mode: a device, not a person. It holds a key (only its SHA-256
digest is stored) that opens the kiosk page of its platform; members identify there by their
personal code or badge for each tap."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.text import single_line


class Kiosk(models.Model):
    platform = models.ForeignKey(
        "platforms.Platform",
        on_delete=models.CASCADE,
        related_name="kiosks",
        verbose_name=_("platform"),
    )
    name = models.CharField(_("name"), max_length=100, validators=[single_line])
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("kiosk")
        verbose_name_plural = _("kiosks")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.platform})"
