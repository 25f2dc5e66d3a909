"""Staff login: password, then a TOTP code (enrolment on first login); lockout after failures;
OpenID Connect counts as two-factor only when the identity provider says so."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from hyte.accounts.models import StaffProfile
from hyte.accounts.oidc import MFA_SESSION_KEY, CountyOIDCBackend
from hyte.accounts.selectors import notice_languages
from hyte.accounts.services import staff_language_remember
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db
LOGIN, VERIFY, QUEUE = "/kirjaudu/", "/kirjaudu/vahvista/", "/lahetteet/"


def code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=0):06d}"


def password_login(client: Client, username: str, password: str = "correct-horse-battery") -> Any:  # noqa: S107
    return client.post(f"{LOGIN}?next={QUEUE}", {"username": username, "password": password, "next": QUEUE})


def test_first_login_enrols_an_authenticator(settings: Any) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # production waits longer after each wrong code
    user = UserFactory(username="uusi")
    client = Client()
    response = password_login(client, "uusi")
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    page = client.get(response["Location"])
    assert page.status_code == 200 and b"<svg" in page.content
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    wrong = client.post(
        VERIFY, {"otp_token": "000000" if code(device) != "000000" else "111111", "next": QUEUE}
    )
    assert wrong.status_code == 200 and b'role="alert"' in wrong.content
    done = client.post(VERIFY, {"otp_token": code(device), "next": QUEUE})
    assert done.status_code == 302 and done["Location"] == QUEUE
    assert TOTPDevice.objects.get(user=user).confirmed
    assert client.get(QUEUE).status_code == 200


def test_a_password_alone_does_not_open_personal_data() -> None:
    UserFactory(username="puolikas")
    client = Client()
    password_login(client, "puolikas")
    assert client.get(QUEUE).status_code == 302
    assert client.get("/api/v1/referrals/").status_code == 403
    assert client.get("/admin/").status_code == 302  # the admin asks for the code too


def test_later_logins_ask_for_the_code() -> None:
    user = UserFactory(username="vanha")
    device = TOTPDevice.objects.create(user=user, confirmed=True, name="app")
    client = Client()
    password_login(client, "vanha")
    page = client.get(f"{VERIFY}?next={QUEUE}")
    assert b"<svg" not in page.content  # no new enrolment
    assert client.post(VERIFY, {"otp_token": code(device), "next": QUEUE})["Location"] == QUEUE
    assert client.get(QUEUE).status_code == 200


def test_open_redirects_are_refused() -> None:
    user = UserFactory(username="ohjaus")
    device = TOTPDevice.objects.create(user=user, confirmed=True, name="app")
    client = Client()
    password_login(client, "ohjaus")
    response = client.post(VERIFY, {"otp_token": code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_lockout_after_repeated_failures(settings: Any) -> None:
    UserFactory(username="lukko")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert password_login(client, "lukko", "wrong-password").status_code in (200, 429)
    locked = password_login(client, "lukko")  # even the right password
    assert locked.status_code == 429 and b"Kirjautuminen estetty" in locked.content


class TestOidc:
    def backend(self) -> CountyOIDCBackend:
        backend = CountyOIDCBackend.__new__(CountyOIDCBackend)
        backend.request = SimpleNamespace(session={})  # type: ignore[assignment]
        return backend

    def test_no_accounts_are_created(self) -> None:
        assert self.backend().create_user({"email": "x@example.org"}) is None

    @pytest.mark.parametrize(("amr", "verified"), [(["pwd", "mfa"], True), (["pwd"], False), (None, False)])
    def test_mfa_from_the_amr_claim(self, amr: Any, verified: bool, settings: Any) -> None:
        settings.HYTE_OIDC_REQUIRE_MFA = True
        settings.OIDC_RP_SCOPES = "openid email"
        backend = self.backend()
        assert backend.verify_claims({"email": "a@example.org", "amr": amr}) is verified
        assert backend.request.session[MFA_SESSION_KEY] is verified  # type: ignore[union-attr]


@pytest.mark.parametrize("language", ["sv", "en", "fi"])
def test_the_language_of_the_login_is_the_language_of_her_notices(language: str) -> None:
    user = UserFactory(username="kielinen")
    assert notice_languages([user.pk]) == {user.pk: "fi"}  # never logged in: the site's language
    StaffProfile.objects.create(user=user, language="en" if language != "en" else "sv")
    # Inside override: a request activates its language in this thread, and the exit restores the
    # outer one, so later tests do not run in this test's language.
    with translation.override(language):
        login = reverse("web:login")
        response = Client().post(login, {"username": "kielinen", "password": "correct-horse-battery"})
        assert response.status_code == 302
        assert notice_languages([user.pk]) == {user.pk: language}
        # A wrong password changes nothing.
        StaffProfile.objects.filter(user=user).update(language="en" if language != "en" else "sv")
        Client().post(login, {"username": "kielinen", "password": "wrong"})
        assert StaffProfile.objects.get(user=user).language != language


def test_an_unknown_language_is_not_remembered() -> None:
    user = UserFactory(username="outo")
    staff_language_remember(user=user, language="de")
    staff_language_remember(user=user, language="")
    assert not StaffProfile.objects.filter(user=user).exists()
    staff_language_remember(user=user, language="sv-FI")
    assert StaffProfile.objects.get(user=user).language == "sv"
