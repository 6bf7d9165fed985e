"""Optional error reports to Sentry, without personal data.

A search's query string can hold a patient's town and cancer type, an
enquiry form's body their message, a cookie their session. None of it may
leave the server: the SDK is told not to send personal data, and
``scrub_event`` removes whatever is left before an event is sent, including
query strings inside URLs and breadcrumbs.
"""

from urllib.parse import urlsplit, urlunsplit

FILTERED = "[Filtered]"


def init_sentry(dsn: str, *, environment: str) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        before_send=scrub_event,
        before_breadcrumb=scrub_breadcrumb,
    )


def _without_query(url):
    if not isinstance(url, str) or "?" not in url:
        return url
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def scrub_event(event: dict, hint=None) -> dict:
    """Remove query strings, bodies, cookies, headers that identify, and the user from an event."""
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("query_string", None)
        request.pop("data", None)
        request.pop("cookies", None)
        request.pop("env", None)
        if "url" in request:
            request["url"] = _without_query(request["url"])
        headers = request.get("headers")
        if isinstance(headers, dict):
            for name in list(headers):
                if name.lower() in {"cookie", "authorization", "referer", "x-forwarded-for", "x-real-ip"}:
                    headers[name] = FILTERED
    event.pop("user", None)
    for breadcrumb in (event.get("breadcrumbs") or {}).get("values", []) or []:
        scrub_breadcrumb(breadcrumb)
    for value in (event.get("exception") or {}).get("values", []) or []:
        for frame in (value.get("stacktrace") or {}).get("frames", []) or []:
            frame.pop("vars", None)
    return event


def scrub_breadcrumb(breadcrumb: dict, hint=None) -> dict:
    data = breadcrumb.get("data")
    if isinstance(data, dict):
        for key in ("url", "http.query"):
            if key in data:
                data[key] = _without_query(data[key]) if key == "url" else FILTERED
    if isinstance(breadcrumb.get("message"), str) and breadcrumb.get("category") in {"query", "django.db"}:
        # SQL with its parameters can hold anything a person typed.
        breadcrumb["data"] = {}
    return breadcrumb
