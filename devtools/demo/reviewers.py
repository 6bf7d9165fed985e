"""The demo reviewer and the demo administrator, each with an authenticator app.

Their TOTP secrets are fixed and published so a developer can add them to an
authenticator app, or print the current code with
``python manage.py demo_totp reviewer@demo.example``. Demo only: seed_demo
refuses to run with DEBUG off.
"""

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.utils import decrypt
from django.contrib.auth.models import Group

from accounts.models import User
from devtools.demo.people_base import DEMO_PASSWORD, ensure_user

REVIEWER_EMAIL = "reviewer@demo.example"
ADMIN_EMAIL = "admin@demo.example"
# Base32, 20 bytes each. Published on purpose: these accounts exist only in demo databases.
REVIEWER_TOTP_SECRET = "DEMOREVIEWERDEMOREVIEWER234567AB"
ADMIN_TOTP_SECRET = "DEMOADMINDEMOADMINDEMOADMIN23456"


def ensure_totp(user: User, secret: str) -> None:
    """Give ``user`` an authenticator app with ``secret`` (replacing another secret)."""
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if existing is not None:
        if decrypt(existing.data["secret"]) == secret:
            return
        existing.delete()
    TOTP.activate(user, secret)


def create_demo_reviewers() -> tuple[User, list[str]]:
    reviewer = ensure_user(REVIEWER_EMAIL, is_staff=True)
    reviewer.groups.add(Group.objects.get(name="Reviewers"))
    ensure_totp(reviewer, REVIEWER_TOTP_SECRET)

    admin = ensure_user(ADMIN_EMAIL, is_staff=True, is_superuser=True)
    ensure_totp(admin, ADMIN_TOTP_SECRET)

    lines = [
        f"{REVIEWER_EMAIL} / {DEMO_PASSWORD} (a reviewer: /review/). Authenticator secret {REVIEWER_TOTP_SECRET}",
        f"{ADMIN_EMAIL} / {DEMO_PASSWORD} (a superuser: /admin/). Authenticator secret {ADMIN_TOTP_SECRET}",
        "  Both ask for an authenticator code after the password: add the secret to an authenticator app",
        "  (time-based, 6 digits, 30 seconds), or print the current code with",
        f"  python manage.py demo_totp {REVIEWER_EMAIL}",
    ]
    return reviewer, lines
