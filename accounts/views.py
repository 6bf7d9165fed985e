from allauth.mfa.totp.views import activate_totp
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts import enrolment


@login_required
def enrolment_link(request: HttpRequest, token: str) -> HttpResponse:
    """Open a one-time second-factor enrolment link; 404 for anyone it does not belong to."""
    if request.method != "GET":
        raise Http404
    if not enrolment.open_link(request=request, token=token):
        raise Http404("This link is not yours, was used already, or has expired.")
    return redirect("mfa_activate_totp")


def activate_authenticator(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """allauth's authenticator set-up, closed to staff with no factor unless they opened an enrolment link."""
    if request.user.is_authenticated and not enrolment.may_enrol(request):
        return render(request, "account/enrolment_link_needed.html", status=403)
    return activate_totp(request, *args, **kwargs)
