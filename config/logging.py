import logging
import re

_QUERY = re.compile(r"\?[^\s\"']*")


class StripQueryStringFilter(logging.Filter):
    """Remove query strings from log lines: they can carry what a patient searched."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = tuple(_QUERY.sub("", arg) if isinstance(arg, str) else arg for arg in record.args)
        if isinstance(record.msg, str):
            record.msg = _QUERY.sub("", record.msg)
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "META"):
            record.request = _SafeRequest(request)
        return True


class _SafeRequest:
    """A stand-in for the request on a log record that hides the query string."""

    def __init__(self, request):
        self._request = request

    def __getattr__(self, name):
        return getattr(self._request, name)

    def __repr__(self) -> str:
        return f"<Request {self._request.method} {self._request.path}>"
