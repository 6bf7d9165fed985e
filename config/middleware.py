from django.conf import settings
from django.http import HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.cache import add_never_cache_headers


class NoStoreForSignedInMiddleware:
    """Keep pages that can show account data out of every cache.

    Anything answered to a signed-in person (dashboards, enquiries, review
    pages, the admin) and every account page (sign-in, password reset, the
    second factor) is sent with ``Cache-Control: no-store``, so a shared
    computer's browser or a proxy never keeps a copy.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or request.path.startswith("/accounts/"):
            add_never_cache_headers(response)
        return response


class RequestBodyLimitMiddleware:
    """Refuse a request body too large for any form before anything reads it.

    Placed before the CSRF middleware, which reads POST bodies (and writes
    large uploads to temporary files) before any view could judge them. The
    size comes from ``Content-Length``; a chunked body without one is refused,
    as its size is only known once it has been read. nginx enforces the same
    limit in front (deploy/nginx.conf); gunicorn has none of its own.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.REQUEST_BODY_MAX_BYTES
        declared = request.META.get("CONTENT_LENGTH") or ""
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        if not declared and chunked:
            return _refusal(411, "Length required: send this request with a Content-Length header, not in chunks.")
        try:
            size = int(declared) if declared else 0
        except ValueError:
            return _refusal(400, "Bad request: the Content-Length header is not a number.")
        if size > limit:
            return _refusal(
                413,
                f"This request is too large ({filesizeformat(size)}). The largest file we accept is "
                f"{filesizeformat(settings.UPLOAD_MAX_BYTES)}: choose a smaller file and try again.",
            )
        return self.get_response(request)


def _refusal(status: int, message: str) -> HttpResponse:
    response = HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")
    # The body was never read: the connection cannot carry another request.
    response["Connection"] = "close"
    return response
