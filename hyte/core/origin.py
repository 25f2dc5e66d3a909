"""Where a request came from: the client address, also behind the county's reverse proxies.

``REMOTE_ADDR`` is the client unless it is one of ``HYTE_TRUSTED_PROXIES`` (addresses or networks,
comma-separated; none by default). From a trusted proxy, ``X-Forwarded-For`` is read from the right,
skipping the trusted proxies: the first other address is the client (what a client writes into the
header itself is to the left of it and never believed). Used by the personal data log ("from where")
and by the login lockout (django-axes), so both name the same address.
"""

from __future__ import annotations

import ipaddress
from functools import cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _trusted(spec: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in spec if item.strip())


def _is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request: HttpRequest) -> str:
    remote = str(request.META.get("REMOTE_ADDR", ""))[:45]
    networks = _trusted(tuple(getattr(settings, "HYTE_TRUSTED_PROXIES", ())))
    if not networks or not _is_trusted(remote, networks):
        return remote
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    for hop in reversed([part.strip() for part in forwarded.split(",")]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return remote  # a malformed chain: keep what we know for certain
        if not _is_trusted(hop, networks):
            return hop
    return remote
