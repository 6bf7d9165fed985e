"""The therapist's enquiry inbox. Enquiries hold health details: never cached, only the owner sees them."""

from allauth.account.decorators import verified_email_required
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from directory.models import Enquiry


def _own_enquiries(request: HttpRequest):
    return Enquiry.objects.filter(profile__user=request.user)


@never_cache
@verified_email_required
@require_safe
def enquiry_list(request: HttpRequest) -> HttpResponse:
    # One query: the enquiries; the list shows no profile fields.
    enquiries = list(_own_enquiries(request).only("id", "name", "created_at", "read_at"))
    return render(
        request,
        "directory/enquiries/list.html",
        {"enquiries": enquiries, "retention_days": settings.ENQUIRY_RETENTION_DAYS},
    )


@never_cache
@verified_email_required
@require_safe
def enquiry_detail(request: HttpRequest, enquiry_id: int) -> HttpResponse:
    enquiry = get_object_or_404(_own_enquiries(request), pk=enquiry_id)
    if enquiry.read_at is None:
        enquiry.read_at = timezone.now()
        Enquiry.objects.filter(pk=enquiry.pk).update(read_at=enquiry.read_at)
    return render(request, "directory/enquiries/detail.html", {"enquiry": enquiry})
