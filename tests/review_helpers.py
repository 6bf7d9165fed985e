"""Reviewers for tests: accounts with a TOTP authenticator, signed in through
the real login and second-factor pages, exactly as a person would."""

import time

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.test import Client

from accounts.models import User
from tests.factories import PASSWORD, make_reviewer, make_user


def totp_code(secret: str, *, at: float | None = None) -> str:
    """The six digits an authenticator app would show now (or at ``at``)."""
    counter = int(at if at is not None else time.time()) // 30
    return format_hotp_value(hotp_value(secret, counter))


def enrol_totp(user: User, secret: str | None = None) -> str:
    """Give ``user`` an authenticator app; return its secret."""
    secret = secret or generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def make_mfa_reviewer(email: str | None = None, **fields) -> tuple[User, str]:
    """A reviewer with an authenticator app: (user, TOTP secret)."""
    reviewer = make_reviewer(email, **fields)
    return reviewer, enrol_totp(reviewer)


def make_mfa_superuser(email: str | None = None) -> tuple[User, str]:
    user = make_user(email, is_staff=True, is_superuser=True)
    return user, enrol_totp(user)


def sign_in(client: Client, user: User, secret: str | None = None, *, next_url: str = "") -> None:
    """Sign in through /accounts/login/ and, when the account has an
    authenticator, /accounts/2fa/authenticate/ with a fresh code."""
    data = {"login": user.email, "password": PASSWORD}
    url = "/accounts/login/" + (f"?next={next_url}" if next_url else "")
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:500]
    if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        assert response["Location"].startswith("/accounts/2fa/authenticate/"), response["Location"]
        assert secret, "This account has an authenticator: pass its secret."
        response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
        assert response.status_code == 302, response.content.decode()[:500]
    assert client.session.get("_auth_user_id") == str(user.pk)


def signed_in_reviewer(client: Client, email: str | None = None) -> User:
    """A reviewer signed in with password and authenticator code on ``client``."""
    reviewer, secret = make_mfa_reviewer(email)
    sign_in(client, reviewer, secret)
    return reviewer


def decide(client: Client, credential, decision: str, data: dict):
    """POST a decision the way a reviewer makes it: from the credential page
    just opened, carrying the version of the credential that page showed."""
    import re

    page = client.get(f"/review/credentials/{credential.pk}/").content.decode()
    match = re.search(r'name="seen_version" value="([^"]+)"', page)
    version = match.group(1) if match else ""
    return client.post(f"/review/credentials/{credential.pk}/{decision}/", {"seen_version": version, **data})
