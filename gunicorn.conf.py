"""gunicorn settings for the directory (used by the Dockerfile and `make loadtest`).

Every value can be changed from the environment:

- GUNICORN_BIND: address to listen on (default 0.0.0.0:$PORT, PORT defaulting to 8000);
- WEB_CONCURRENCY: worker processes (default 2 × CPUs + 1);
- GUNICORN_TIMEOUT: seconds before a silent worker is restarted (default 30);
- GUNICORN_ACCESS_LOG / GUNICORN_ERROR_LOG: file paths, or "-" for the console (default);
- GUNICORN_LOG_LEVEL: default info.

The access log keeps the path only, never the query string: search
parameters (a patient's place, cancer type, …) must not reach the logs. The
referrer is left out for the same reason: it holds the search page's address.
"""

import gc
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{_int('PORT', 8000)}"  # noqa: S104 - inside a container
workers = _int("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1)
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = 30
keepalive = 5
# Restart workers now and then, so a slow leak cannot grow for ever.
max_requests = 5000
max_requests_jitter = 500
# Load the app (and the offline geocoder's data, below) once in the master;
# workers share it, start quickly and are replaced quickly.
preload_app = True
# Workers' heartbeat files: in memory, as a container's disk can stall them.
_MEMORY_DIR = "/dev/shm"  # noqa: S108 - heartbeat files only, no data
if os.path.isdir(_MEMORY_DIR):
    worker_tmp_dir = _MEMORY_DIR

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# %(U)s is the path without the query string; %(M)s the time taken in milliseconds.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'


def on_starting(server):
    """Before the server listens (and before the workers fork): load the geocoder's data.

    With ``preload_app`` the app itself is already loaded at this point;
    gunicorn opens its socket only after this hook, so no connection waits
    in the queue for a server that cannot answer yet.

    Then freeze everything loaded so far out of the garbage collector's
    reach: otherwise each worker's first full collection walks (and so
    copies) hundreds of thousands of place records, a pause of 50–150 ms.
    """
    from directory.geo.offline import get_geocoder

    warm_up = getattr(get_geocoder(), "warm_up", None)
    if warm_up is not None:
        seconds = warm_up()
        server.log.info("Geocoder data ready (%.1f s to load).", seconds)
    gc.collect()
    gc.freeze()
