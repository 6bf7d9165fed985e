"""The therapist's own pages."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from directory.listing import reasons_not_listed
from directory.models import Profile


@never_cache
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    profile = Profile.objects.filter(user=request.user).first()
    reasons = reasons_not_listed(profile) if profile else []
    return render(request, "directory/dashboard/index.html", {"profile": profile, "reasons": reasons})
