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
