"""Shared helpers for demo accounts. Every name, address and number in the demo data is invented."""

from allauth.account.models import EmailAddress

from accounts.models import User

DEMO_PASSWORD = "demo-password-2026"


def ensure_user(email: str, *, password: str = DEMO_PASSWORD, **fields) -> User:
    user, created = User.objects.get_or_create(email=email, defaults=fields)
    if created:
        user.set_password(password)
        user.save()
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"primary": True, "verified": True})
    return user
