"""Fetching feeds over HTTP, against a loopback server on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import socket
import time

import pytest

from hyte.integrations.ical.client import MAX_FEED_BYTES, check_url, fetch_feed
from hyte.integrations.ical.errors import (
    IcalFetchError,
    IcalHttpError,
    IcalTimeout,
    IcalTooLarge,
    IcalUnsupportedUrl,
)
from tests.integrations.ical.conftest import FeedServer, Route, feed_bytes


def test_fetches_the_feed(feed_server: FeedServer) -> None:
    feed_server.routes["/latu.ics"] = Route(body=feed_bytes())
    assert fetch_feed(feed_server.url("/latu.ics")) == feed_bytes()
    assert feed_server.hits == ["/latu.ics"]


def test_follows_a_redirect(feed_server: FeedServer) -> None:
    feed_server.routes["/old.ics"] = Route(status=301, headers={"Location": feed_server.url("/new.ics")})
    feed_server.routes["/new.ics"] = Route(body=b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    assert fetch_feed(feed_server.url("/old.ics")) == b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"


@pytest.mark.parametrize("status", [404, 500])
def test_an_http_error_status_is_a_coded_error(feed_server: FeedServer, status: int) -> None:
    feed_server.routes["/gone.ics"] = Route(status=status, body=b"nope")
    with pytest.raises(IcalHttpError) as excinfo:
        fetch_feed(feed_server.url("/gone.ics"))
    assert excinfo.value.code == "ical_http_error"
    assert excinfo.value.details["status"] == status
    assert str(excinfo.value.message) == f"The calendar server answered with HTTP status {status}."


def test_a_server_that_does_not_answer_in_time(feed_server: FeedServer) -> None:
    feed_server.routes["/slow.ics"] = Route(body=feed_bytes(), delay=1.5)
    started = time.monotonic()
    with pytest.raises(IcalTimeout) as excinfo:
        fetch_feed(feed_server.url("/slow.ics"), timeout=0.3)
    assert time.monotonic() - started < 1.4
    assert excinfo.value.code == "ical_timeout"


def test_the_time_limit_is_for_the_whole_download(feed_server: FeedServer) -> None:
    """A server that sends a little at a time never trips the socket timeout, but the total limit."""
    feed_server.routes["/drip.ics"] = Route(body=b"x" * 20 * 1024, drip=0.1)
    with pytest.raises(IcalTimeout):
        fetch_feed(feed_server.url("/drip.ics"), timeout=0.5)


def test_a_too_large_feed_is_refused_by_its_content_length(feed_server: FeedServer) -> None:
    feed_server.routes["/big.ics"] = Route(body=b"x" * (MAX_FEED_BYTES + 1))
    with pytest.raises(IcalTooLarge) as excinfo:
        fetch_feed(feed_server.url("/big.ics"))
    assert excinfo.value.code == "ical_too_large"
    assert excinfo.value.details == {"max_bytes": 5 * 1024 * 1024}
    assert str(excinfo.value.message).replace("\xa0", " ") == "The calendar feed is larger than 5.0 MB."


def test_a_too_large_feed_without_content_length_is_cut_off(feed_server: FeedServer) -> None:
    feed_server.routes["/stream.ics"] = Route(body=b"x" * (MAX_FEED_BYTES + 10), content_length=False)
    with pytest.raises(IcalTooLarge):
        fetch_feed(feed_server.url("/stream.ics"))


def test_exactly_the_limit_is_fine(feed_server: FeedServer) -> None:
    feed_server.routes["/limit.ics"] = Route(body=b"y" * 1000, content_length=False)
    assert fetch_feed(feed_server.url("/limit.ics"), max_bytes=1000) == b"y" * 1000
    with pytest.raises(IcalTooLarge):
        fetch_feed(feed_server.url("/limit.ics"), max_bytes=999)


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://127.0.0.1/feed.ics", "gopher://127.0.0.1/", "http:///no-host", "kalenteri"],
)
def test_only_http_and_https(url: str) -> None:
    with pytest.raises(IcalUnsupportedUrl) as excinfo:
        fetch_feed(url)
    assert excinfo.value.code == "ical_unsupported_url"


def test_a_redirect_to_another_scheme_is_refused(feed_server: FeedServer) -> None:
    feed_server.routes["/sneaky.ics"] = Route(status=302, headers={"Location": "file:///etc/passwd"})
    feed_server.routes["/ftp.ics"] = Route(status=307, headers={"Location": "ftp://127.0.0.1/feed.ics"})
    for path in ("/sneaky.ics", "/ftp.ics"):
        with pytest.raises(IcalUnsupportedUrl):
            fetch_feed(feed_server.url(path))


def test_nobody_listening() -> None:
    with socket.socket() as sock:  # a loopback port that was free a moment ago
        sock.bind(("127.0.0.1", 0))
        free_port = sock.getsockname()[1]
    with pytest.raises(IcalFetchError) as excinfo:
        fetch_feed(f"http://127.0.0.1:{free_port}/x.ics", timeout=2)
    assert excinfo.value.code == "ical_fetch_failed"
    assert str(excinfo.value.message).startswith("The calendar server could not be reached:")


class TestInternalAddressesRefused:
    """Staff-entered feed addresses must not reach the platform's own network (SSRF)."""

    @pytest.mark.parametrize(
        "url",
        [
            "http://127.0.0.1:8000/feed.ics",
            "http://localhost/feed.ics",
            "http://10.1.2.3/feed.ics",
            "http://192.168.0.10/feed.ics",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/feed.ics",
        ],
    )
    def test_refused(self, settings, url: str) -> None:
        settings.HYTE_FETCH_ALLOW_PRIVATE_ADDRESSES = False
        with pytest.raises(IcalUnsupportedUrl):
            check_url(url)

    def test_public_address_is_allowed(self, settings) -> None:
        settings.HYTE_FETCH_ALLOW_PRIVATE_ADDRESSES = False
        check_url("https://93.184.215.14/feed.ics")  # an IP literal: no lookup, no traffic


class TestDnsRebinding:
    """A name that resolves to a public address when checked and to an internal one when connecting."""

    @pytest.fixture
    def rebinding(self, monkeypatch: pytest.MonkeyPatch, settings) -> list[object]:
        settings.HYTE_FETCH_ALLOW_PRIVATE_ADDRESSES = False
        for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
            monkeypatch.delenv(name, raising=False)
        real = socket.getaddrinfo
        lookups: list[object] = []

        def answer(host: str, port: object, *args: object, **kwargs: object) -> list[tuple]:  # type: ignore[type-arg]
            if host != "feeds.example.org":
                return real(host, port, *args, **kwargs)  # type: ignore[arg-type]
            lookups.append(port)
            ip = "93.184.215.14" if len(lookups) == 1 else "127.0.0.1"
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port or 0))]

        monkeypatch.setattr(socket, "getaddrinfo", answer)
        return lookups

    def test_the_second_answer_is_refused_before_connecting(
        self, rebinding: list[object], feed_server: FeedServer
    ) -> None:
        feed_server.routes["/feed.ics"] = Route(body=feed_bytes())
        port = feed_server.url("/").split(":")[2].split("/")[0]
        with pytest.raises(IcalUnsupportedUrl):
            fetch_feed(f"http://feeds.example.org:{port}/feed.ics")
        assert len(rebinding) == 2  # checked, then resolved again at connect time and refused there
        assert feed_server.hits == []
