"""The client address behind trusted reverse proxies, and only there."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings

from hyte.core.origin import client_ip


def ip(remote: str, forwarded: str | None = None) -> str:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_ip(RequestFactory().get("/", REMOTE_ADDR=remote, **extra))


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert ip("198.51.100.4", "203.0.113.9") == "198.51.100.4"


@override_settings(HYTE_TRUSTED_PROXIES=["10.0.0.0/8", "2001:db8::1"])
@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("10.1.2.3", "203.0.113.9", "203.0.113.9"),  # one proxy
        ("10.1.2.3", "203.0.113.9, 10.9.9.9", "203.0.113.9"),  # two of ours
        ("10.1.2.3", "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # a forged hop on the left is not believed
        ("2001:db8::1", "2001:db8:5::7", "2001:db8:5::7"),
        ("10.1.2.3", "", "10.1.2.3"),
        ("10.1.2.3", "10.2.2.2", "10.1.2.3"),  # only our own proxies: keep the nearest known address
        ("10.1.2.3", "203.0.113.9, not-an-ip", "10.1.2.3"),  # malformed
        ("198.51.100.4", "203.0.113.9", "198.51.100.4"),  # not from a trusted proxy
    ],
)
def test_from_a_trusted_proxy_the_nearest_untrusted_hop_is_the_client(
    remote: str, forwarded: str, expected: str
) -> None:
    assert ip(remote, forwarded) == expected


@pytest.mark.django_db
@override_settings(HYTE_TRUSTED_PROXIES=["127.0.0.1"])
def test_the_personal_data_log_records_the_forwarded_address(client) -> None:  # type: ignore[no-untyped-def]
    from hyte.core.models import PersonalDataLog
    from hyte.core.personal_log import log_personal_data, remote_addr
    from tests.catalog.factories import OrganizationFactory

    seen: list[str] = []

    def view_like() -> None:
        seen.append(remote_addr.get())
        log_personal_data(actor=None, action="read", obj=OrganizationFactory(), purpose="test")

    from hyte.core.personal_log import RequestOriginMiddleware

    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.44")
    RequestOriginMiddleware(lambda r: view_like() or None)(request)  # type: ignore[arg-type,func-returns-value]
    assert seen == ["192.0.2.44"]
    assert PersonalDataLog.objects.get().remote_addr == "192.0.2.44"


@override_settings(HYTE_TRUSTED_PROXIES=["10.0.0.0/8"])
def test_the_login_lockout_counts_the_same_address() -> None:
    from axes.helpers import get_client_ip_address

    request = RequestFactory().post("/kirjaudu/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert get_client_ip_address(request) == "203.0.113.5"
