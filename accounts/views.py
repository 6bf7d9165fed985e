"""Sign-up wrapped so that the same form sent twice never ends in an error page."""

from allauth.account.views import signup as allauth_signup
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


def signup(request: HttpRequest) -> HttpResponse:
    """allauth's sign-up in one transaction; a double-click's second request sees the normal
    "check your email" page.

    Two requests for the same address at once both pass the form's "already
    registered" check, and the second then meets the unique email in the
    database. Its transaction rolls back (with its queued confirmation email)
    and it is answered as allauth answers a known address: check your email.
    """
    try:
        with transaction.atomic():
            return allauth_signup(request)
    except IntegrityError:
        return redirect("account_email_verification_sent")
