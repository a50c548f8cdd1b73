"""Who is on the other end of a request."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address: the socket's, unless the deployment declares ``NUM_PROXIES``
    reverse proxies in front of the app.

    Behind N proxies, each appends the address it received the request from to
    X-Forwarded-For, so the N-th entry from the right is the last one a trusted proxy wrote;
    anything to its left is whatever the client chose to send. A value that is not an IP
    address falls back to the socket's.
    """
    remote = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"
    proxies = settings.NUM_PROXIES
    if not proxies:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if not forwarded:
        return remote
    candidate = forwarded[-min(proxies, len(forwarded))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
