"""Where webhooks may go: an https address whose host resolves only to public addresses, checked
when an endpoint is registered and again on the connection itself at each delivery (a name that
resolved to a public address at registration may point inward later). Private, loopback,
link-local and reserved addresses are refused unless ``WEBHOOKS_ALLOW_PRIVATE``."""

import http.client
import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from .exceptions import WebhookAddressRefused


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def address_check(url: str) -> None:
    """Refuse an address webhooks may not go to, with the reason (``WebhookAddressRefused``)."""
    allow_private = settings.WEBHOOKS_ALLOW_PRIVATE
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise WebhookAddressRefused(reason=_("it is not a valid address.")) from error
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes:
        raise WebhookAddressRefused(reason=_("it must begin with https://."))
    if not parts.hostname or parts.username or parts.password:
        raise WebhookAddressRefused(reason=_("it must name a host, without a user or password."))
    if len(url) > 500:
        raise WebhookAddressRefused(reason=_("it is longer than 500 characters."))
    if allow_private:
        return
    try:
        found = socket.getaddrinfo(parts.hostname, port or 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError, ValueError) as error:
        raise WebhookAddressRefused(reason=_("its host name does not resolve.")) from error
    if not all(_public(str(info[4][0])) for info in found):
        raise WebhookAddressRefused(
            reason=_("it leads to a private, loopback or local network address.")
        )


class _Guarded:
    """After the TCP connection is made, before anything is sent: the peer must be public."""

    sock: socket.socket

    def _peer_check(self) -> None:
        if settings.WEBHOOKS_ALLOW_PRIVATE:
            return
        peer = self.sock.getpeername()[0]
        if not _public(peer):
            self.sock.close()
            raise WebhookAddressRefused(
                reason=_("it leads to a private, loopback or local network address.")
            )


class GuardedHTTPConnection(_Guarded, http.client.HTTPConnection):
    def connect(self) -> None:
        super().connect()
        self._peer_check()


class GuardedHTTPSConnection(_Guarded, http.client.HTTPSConnection):
    def connect(self) -> None:
        # The TCP connection, checked, then TLS over it (HTTPSConnection.connect does both).
        http.client.HTTPConnection.connect(self)
        self._peer_check()
        server_hostname = self.host
        self.sock = self._context.wrap_socket(self.sock, server_hostname=server_hostname)  # type: ignore[attr-defined]
