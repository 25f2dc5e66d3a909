"""Fixtures of the iCalendar tests: feed files, a loopback HTTP server (127.0.0.1 only), feeds."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from hyte.catalog.models import ICalFeed, Location, Organization, Service
from tests.catalog.factories import LocationFactory, ServiceFactory

DATA = Path(__file__).parent / "data"


def feed_bytes(name: str = "kokkolan_latu.ics") -> bytes:
    return (DATA / name).read_bytes()


def calendar(*events: str) -> bytes:
    """A VCALENDAR around VEVENT bodies (each without BEGIN/END lines)."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//HYTE tests//EN"]
    for body in events:
        lines += ["BEGIN:VEVENT", *[line.strip() for line in body.strip().splitlines()], "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted in English, the source language, whatever the catalogs hold."""
    with translation.override("en"):
        yield


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/calendar; charset=utf-8"})
    delay: float = 0.0  # seconds before answering
    drip: float = 0.0  # seconds between 1 KiB pieces of the body
    content_length: bool = True


class FeedServer:
    """Serves ``routes`` on 127.0.0.1; an unknown path is a 404. ``hits`` lists the paths asked for."""

    def __init__(self, server: ThreadingHTTPServer) -> None:
        self._server = server
        self.routes: dict[str, Route] = {}
        self.hits: list[str] = []

    def url(self, path: str) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{path}"


class _Handler(BaseHTTPRequestHandler):
    feed_server: FeedServer

    def do_GET(self) -> None:
        self.feed_server.hits.append(self.path)
        route = self.feed_server.routes.get(self.path)
        if route is None:
            self.send_error(404)
            return
        time.sleep(route.delay)
        try:
            self.send_response(route.status)
            for name, value in route.headers.items():
                self.send_header(name, value)
            if route.content_length:
                self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            if route.drip:
                for start in range(0, len(route.body), 1024):
                    self.wfile.write(route.body[start : start + 1024])
                    self.wfile.flush()
                    time.sleep(route.drip)
            else:
                self.wfile.write(route.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout, size limit): that is what some tests want

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    feed = FeedServer(server)
    handler = type("Handler", (_Handler,), {"feed_server": feed})
    server.RequestHandlerClass = handler
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield feed
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def uimahalli(org_a: Organization) -> Location:
    return LocationFactory(
        organization=org_a,
        name_fi="Kokkolan uimahalli",
        name_sv="Karleby simhall",
        name_en="Kokkola swimming hall",
    )


@pytest.fixture
def jumppa(org_a: Organization) -> Service:
    return ServiceFactory(
        organization=org_a, name_fi="Ikäihmisten jumppa", name_sv="Gympa för seniorer", name_en="Seniors' gym"
    )


@pytest.fixture
def feed_a(org_a: Organization, jumppa: Service) -> ICalFeed:
    return ICalFeed.objects.create(
        organization=org_a, service=jumppa, url="https://kokkolanlatu.fi/tapahtumat.ics"
    )


@pytest.fixture(autouse=True)
def _loopback_feeds_allowed(settings: Any) -> None:
    """The test feeds are served on 127.0.0.1, which production refuses (see test_client.TestInternal)."""
    settings.HYTE_FETCH_ALLOW_PRIVATE_ADDRESSES = True
