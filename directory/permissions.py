"""Who may review: staff with the review permission who signed in with a
second factor in this very login. One place, used by every review page,
the evidence view and the admin."""

from functools import wraps

from allauth.account.authentication import get_authentication_records
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

REVIEW_PERMISSION = "directory.review_credentials"


def signed_in_with_second_factor(request: HttpRequest) -> bool:
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def is_reviewer(user) -> bool:
    """Has the role (staff + permission); says nothing about this login."""
    return bool(user.is_authenticated and user.is_active and user.is_staff and user.has_perm(REVIEW_PERMISSION))


def can_review(request: HttpRequest) -> bool:
    """Has the role and completed the second factor in the current login."""
    return is_reviewer(request.user) and signed_in_with_second_factor(request)


def reviewer_required(view):
    """Open a view to reviewers who signed in with their second factor.

    Anonymous visitors are sent to sign in; everyone else gets 403, and a
    reviewer without a second factor in this login is told to set one up
    or sign in again with it.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_reviewer(request.user):
            raise PermissionDenied("Only reviewers can open this page.")
        if not signed_in_with_second_factor(request):
            from django.shortcuts import render

            return render(request, "directory/review/second_factor_needed.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped
