"""Downloading a credential's evidence document.

Evidence lives under PRIVATE_MEDIA_ROOT, which no URL serves; this view is
the only way out. Its owner may download it, and so may a reviewer signed in
with a second factor (each opening is recorded). Everyone else gets 404, so
an outsider cannot even learn that a document exists.
"""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from directory import services
from directory.models import Credential
from directory.permissions import can_review
from directory.uploads import EVIDENCE_EXTENSIONS

FALLBACK_CONTENT_TYPE = "application/octet-stream"


def _evidence_credential(request: HttpRequest, pk: int) -> Credential:
    """The credential, if this user may open its evidence; 404 otherwise.

    Unlike the therapist's other pages this is not scoped to the user's own
    profile alone, because reviewers open every therapist's evidence.
    """
    credential = get_object_or_404(Credential.objects.select_related("profile"), pk=pk)
    if credential.profile.user_id == request.user.pk:
        return credential
    if can_review(request):
        return credential
    raise Http404("No such document.")


@never_cache
@login_required
@require_safe
def credential_evidence(request: HttpRequest, pk: int) -> FileResponse:
    credential = _evidence_credential(request, pk)
    if not credential.evidence:
        raise Http404("This credential has no document.")
    try:
        handle = credential.evidence.open("rb")
    except FileNotFoundError:
        raise Http404("The document is missing.")
    if credential.profile.user_id != request.user.pk:
        services.record_evidence_opened(credential=credential, actor=request.user)
    content_type = credential.evidence_content_type or FALLBACK_CONTENT_TYPE
    filename = f"credential-{credential.pk}-evidence{EVIDENCE_EXTENSIONS.get(content_type, '')}"
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
