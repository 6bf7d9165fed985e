"""Setting up a staff account's first second factor through a one-time link.

A superuser issues the link (in the admin, or with ``manage.py
mfa_enrolment_link EMAIL``); its owner opens it signed in, and for the rest of
that session may add an authenticator app. Without it, a staff account with
no factor cannot add one: the password alone is not enough.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from accounts.models import EnrolmentLink, User

LINK_LIFETIME = timedelta(hours=24)
SESSION_KEY = "mfa_enrolment_link"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def needs_enrolment_link(user) -> bool:
    """Staff (reviewers, administrators) add their first factor only through a link."""
    return bool(
        user.is_authenticated
        and (user.is_staff or user.is_superuser)
        and not Authenticator.objects.filter(user=user).exists()
    )


def issue_link(*, user: User, issued_by: User | None = None) -> str:
    """Create a link for ``user``, valid for 24 hours and one opening; return its path."""
    token = secrets.token_urlsafe(32)
    EnrolmentLink.objects.create(
        user=user, token_hash=_hash(token), issued_by=issued_by, expires_at=timezone.now() + LINK_LIFETIME
    )
    return reverse("mfa_enrolment_link", args=[token])


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


@transaction.atomic
def open_link(*, request: HttpRequest, token: str) -> bool:
    """Use the link for the signed-in person, once; False if it is not theirs, used or expired."""
    now = timezone.now()
    used = EnrolmentLink.objects.filter(
        token_hash=_hash(token), user=request.user, used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    if not used:
        return False
    expires_at = EnrolmentLink.objects.get(token_hash=_hash(token)).expires_at
    request.session[SESSION_KEY] = {"user": request.user.pk, "until": expires_at.isoformat()}
    return True


def may_enrol(request: HttpRequest) -> bool:
    """May the signed-in person add an authenticator app in this session?"""
    if not needs_enrolment_link(request.user):
        return True
    allowance = request.session.get(SESSION_KEY) or {}
    if allowance.get("user") != request.user.pk:
        return False
    return datetime.fromisoformat(allowance["until"]) > timezone.now()


def end_allowance(request: HttpRequest) -> None:
    if request is not None and hasattr(request, "session"):
        request.session.pop(SESSION_KEY, None)
