"""The reviewers' pages."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from directory.models import Credential
from directory.permissions import reviewer_required


@never_cache
@reviewer_required
def review_queue(request: HttpRequest) -> HttpResponse:
    pending = Credential.objects.filter(status=Credential.Status.PENDING).select_related("profile")
    return render(request, "directory/review/queue.html", {"credentials": pending})
