"""Fetch an iCalendar feed over http(s) with the standard library.

Only http and https (also after redirects), a total time limit, and at most ``MAX_FEED_BYTES``
read: a larger answer is refused, not truncated (a cut feed would look like removed events).

Staff type feed addresses, so the fetch must not reach the platform's own network (SSRF). The address
is checked before the request, and again when the connection is made: the connection goes to the very
address that was checked, so a name that resolves to a public address first and to an internal one a
moment later (DNS rebinding) is refused. Through an outbound proxy (``http_proxy``/``https_proxy``) the
proxy resolves names, and only the check before the request applies.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import time
import urllib.error
import urllib.request
from typing import IO, Any
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from hyte.integrations.ical.errors import (
    IcalFetchError,
    IcalHttpError,
    IcalTimeout,
    IcalTooLarge,
    IcalUnsupportedUrl,
)

MAX_FEED_BYTES = 5 * 1024 * 1024
DEFAULT_TIMEOUT = 20.0
CHUNK_BYTES = 64 * 1024
ALLOWED_SCHEMES = ("http", "https")
USER_AGENT = "HYTE-platform iCalendar import (+https://www.rfc-editor.org/rfc/rfc5545)"


def check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ALLOWED_SCHEMES or not parts.hostname:
        raise IcalUnsupportedUrl(details={"url": url[:200]})
    if not settings.HYTE_FETCH_ALLOW_PRIVATE_ADDRESSES and _internal(parts.hostname):
        # Staff type these addresses: never let them reach the platform's own network (SSRF).
        raise IcalUnsupportedUrl(
            _("Addresses inside the platform's own network cannot be fetched."),
            details={"url": url[:200], "reason": "internal address"},
        )


def _is_internal_address(text: str) -> bool:
    address = ipaddress.ip_address(text.split("%", 1)[0])  # an IPv6 scope id is not part of the address
    return not address.is_global or address.is_multicast


def _internal(hostname: str) -> bool:
    """Whether the host is, or resolves to, a loopback, private, link-local or otherwise reserved address."""
    try:
        infos = socket.getaddrinfo(hostname, None)
    except (socket.gaierror, UnicodeError):
        return False  # unknown host: the fetch itself fails with a clear error
    return any(_is_internal_address(str(info[4][0])) for info in infos)


def _guarded_create_connection(
    address: tuple[str, int], timeout: float | None = None, source_address: tuple[str, int] | None = None
) -> socket.socket:
    """``socket.create_connection`` that resolves the name once, refuses internal addresses and
    connects to the address it checked (no second lookup an attacker's DNS could answer differently)."""
    host, port = address
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    if not settings.HYTE_FETCH_ALLOW_PRIVATE_ADDRESSES and any(
        _is_internal_address(str(i[4][0])) for i in infos
    ):
        raise IcalUnsupportedUrl(
            _("Addresses inside the platform's own network cannot be fetched."),
            details={"host": host[:200], "reason": "internal address at connect time"},
        )
    error: OSError | None = None
    for family, kind, proto, _name, sockaddr in infos:
        sock = socket.socket(family, kind, proto)
        try:
            if timeout is not None:
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            sock.close()
            error = exc
    raise error or OSError(f"no address for {host}")


class _GuardedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _guarded_create_connection  # set per instance by http.client


class _GuardedHTTPSConnection(http.client.HTTPSConnection):
    """TLS is wrapped around the guarded socket with the host name (SNI and certificate check)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _guarded_create_connection


def _proxied(req: urllib.request.Request) -> bool:
    return bool(req.has_proxy() or getattr(req, "_tunnel_host", None))


class _GuardedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(http.client.HTTPConnection if _proxied(req) else _GuardedHTTPConnection, req)


class _GuardedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        connection = http.client.HTTPSConnection if _proxied(req) else _GuardedHTTPSConnection
        return self.do_open(connection, req, context=self._context)  # type: ignore[attr-defined]


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects to http(s) only (the standard library would also follow ftp)."""

    def http_error_302(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
    ) -> IO[bytes] | None:
        location = headers.get("Location") or headers.get("URI")
        if location:
            check_url(urljoin(req.full_url, location.strip()))
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def fetch_feed(url: str, *, timeout: float = DEFAULT_TIMEOUT, max_bytes: int = MAX_FEED_BYTES) -> bytes:
    """The body of ``url``; raises a coded IcalFetchError (status, timeout, size, network)."""
    check_url(url)
    opener = urllib.request.build_opener(_HttpOnlyRedirects, _GuardedHTTPHandler, _GuardedHTTPSHandler)
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above and on redirects
        url, headers={"User-Agent": USER_AGENT, "Accept": "text/calendar, */*;q=0.5"}
    )
    deadline = time.monotonic() + timeout
    try:
        with opener.open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > max_bytes:
                raise _too_large(max_bytes)
            chunks: list[bytes] = []
            size = 0
            while True:
                if time.monotonic() > deadline:
                    raise IcalTimeout(details={"url": url[:200], "seconds": timeout})
                chunk = response.read1(min(CHUNK_BYTES, max_bytes + 1 - size))  # what has arrived
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
                if size > max_bytes:
                    raise _too_large(max_bytes)
            return b"".join(chunks)
    except urllib.error.HTTPError as exc:
        raise IcalHttpError(
            _("The calendar server answered with HTTP status %(status)d.") % {"status": exc.code},
            details={"url": url[:200], "status": exc.code},
        ) from exc
    except TimeoutError as exc:
        raise IcalTimeout(details={"url": url[:200], "seconds": timeout}) from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise IcalTimeout(details={"url": url[:200], "seconds": timeout}) from exc
        raise IcalFetchError(
            _("The calendar server could not be reached: %(reason)s") % {"reason": str(exc.reason)[:200]},
            details={"url": url[:200]},
        ) from exc
    except (OSError, http.client.HTTPException) as exc:  # connection reset, TLS errors, bad answers
        raise IcalFetchError(details={"url": url[:200], "reason": str(exc)[:200]}) from exc


def _too_large(max_bytes: int) -> IcalTooLarge:
    return IcalTooLarge(
        _("The calendar feed is larger than %(size)s.") % {"size": filesizeformat(max_bytes)},
        details={"max_bytes": max_bytes},
    )
