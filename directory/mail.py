"""Every email leaves through a task, never from inside a web request.

A mail server that stalls must not hold a patient's enquiry or a reviewer's
decision, and a mail that failed must go again later. So the code that makes
a change calls ``queue(...)`` inside its transaction: the task is a database
row (``django-tasks-db``), committed with the change or not at all. The worker
(``manage.py db_worker``) builds the message from the database and sends it.

A failed send is tried again later (``RETRY_DELAYS``: five tries over about
an hour), each try a new task row to run after a delay; after the last, the
task is marked failed, with its error, in the admin's "Task results" (for
superusers). A message the mail server accepted is never sent again: nothing
is retried once ``send_messages`` has returned, even if closing the
connection fails afterwards.

Tasks carry a kind and object ids, never addresses or rendered mail, so a
task row holds no personal data; the one exception is allauth's account
mail (confirmation links, password resets), which cannot be rebuilt and is
queued as rendered. Finished task rows are deleted after
``TASK_RESULT_RETENTION_DAYS`` (``manage.py prune_db_task_results``, daily).
"""

import logging
from datetime import timedelta

from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

# Seconds to wait before the 2nd, 3rd, 4th and 5th tries: about an hour in all.
RETRY_DELAYS = (60, 5 * 60, 15 * 60, 40 * 60)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


class MailNotSent(Exception):
    """The last try failed: the task is marked failed and shows in the admin."""


def queue(kind: str, object_id: int | None = None, **params) -> None:
    """Queue an email, in the caller's transaction. ``kind`` names a builder in ``notifications.BUILDERS``."""
    deliver.enqueue(kind, object_id, attempt=1, **params)


@task()
def deliver(kind: str, object_id: int | None, attempt: int = 1, **params) -> str:
    from directory.notifications import BUILDERS

    build, after_sent = BUILDERS[kind]
    message = build(object_id, **params)
    if message is None:
        return "nothing to send"  # what it was about has gone (an enquiry purged, a profile deleted)
    try:
        _send(message)
    except Exception as error:
        if attempt >= MAX_ATTEMPTS:
            raise MailNotSent(f"{kind} email not sent after {attempt} tries: {type(error).__name__}") from error
        delay = RETRY_DELAYS[attempt - 1]
        deliver.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(
            kind, object_id, attempt=attempt + 1, **params
        )
        logger.warning("%s email not sent (%s); try %s in %s s.", kind, type(error).__name__, attempt + 1, delay)
        return f"try {attempt} failed; retrying"
    if after_sent is not None:
        after_sent(object_id)
    return "sent"


def _send(message: EmailMessage) -> None:
    """Send one message; an error raised after the server accepted it is logged, not raised."""
    connection = get_connection()
    connection.open()
    try:
        sent = connection.send_messages([message])
    except Exception:
        _close_quietly(connection)
        raise
    _close_quietly(connection)
    if sent == 0:
        raise MailNotSent("The mail server refused the message.")


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except Exception as error:  # the message's fate is already known
        logger.info("Closing the mail connection failed (%s).", type(error).__name__)


def rendered(*, subject: str, body: str, to: list[str], from_email: str, html: str = "") -> EmailMessage:
    """Rebuild a message queued as rendered (allauth's account mail)."""
    message = EmailMultiAlternatives(subject, body, from_email, to)
    if html:
        message.attach_alternative(html, "text/html")
    return message
