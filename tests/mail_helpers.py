"""Mail in tests: a backend that fails if a web request sends mail, and a worker run.

Every email must leave through a task (directory/mail.py). The test settings
use ``OutsideRequestsOnlyBackend``: it records mail like Django's locmem
backend, but fails the test if it is used between a request's start and end,
so any view that sends mail itself fails the whole suite, not one test.
"""

import threading

from django.core.mail.backends.locmem import EmailBackend
from django.core.signals import request_finished, request_started

_in_request = threading.local()


def _started(**kwargs):
    _in_request.active = True


def _finished(**kwargs):
    _in_request.active = False


request_started.connect(_started, dispatch_uid="tests.mail_helpers.started")
request_finished.connect(_finished, dispatch_uid="tests.mail_helpers.finished")


class MailSentInsideARequest(AssertionError):
    pass


class OutsideRequestsOnlyBackend(EmailBackend):
    def send_messages(self, messages):
        if getattr(_in_request, "active", False):
            raise MailSentInsideARequest("A web request opened a mail connection; mail must go through a task.")
        return super().send_messages(messages)


def run_tasks() -> int:
    """Run every task that is due, as ``manage.py db_worker --batch`` does; return how many ran.

    The worker closes stale connections between tasks, as a long-running
    process should; inside a test's transaction that would close the test's
    own connection (Django's test client skips it the same way).
    """
    from unittest import mock

    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        worker.run()
    return worker._run_tasks
