"""Mail leaves through task rows committed with the change, sent and retried by the worker."""

import pytest
from django.core import mail
from django.core.mail import send_mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from directory import mail as directory_mail
from directory import notifications
from tests.mail_helpers import MailSentInsideARequest, run_tasks
from tests.search_helpers import listed

pytestmark = pytest.mark.django_db


class RefusingBackend(EmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


class AcceptsThenFailsToCloseBackend(EmailBackend):
    def close(self):
        raise OSError("the connection dropped after the server accepted the message")


def make_retries_due():
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())


def test_mail_sent_inside_a_request_fails_the_test():
    request_started.send(sender=None)
    try:
        with pytest.raises(MailSentInsideARequest):
            send_mail("Subject", "Body", None, ["someone@example.test"])
    finally:
        request_finished.send(sender=None)
    send_mail("Subject", "Body", None, ["someone@example.test"])
    assert len(mail.outbox) == 1


def test_an_enquiry_queues_its_notice_as_a_row_holding_only_an_id(client):
    therapist = listed(display_name="Queue Quinn")
    client.post(
        f"/therapists/{therapist.slug}/enquiry/",
        {"name": "Pat", "email": "pat@example.test", "message": "Hello there", "consent": "on", "website": ""},
    )
    task = DBTaskResult.objects.get()
    assert task.args_kwargs == {"args": ["enquiry", therapist.enquiries.get().pk], "kwargs": {"attempt": 1}}
    assert mail.outbox == []
    assert run_tasks() == 1
    assert len(mail.outbox) == 1


def test_a_change_that_is_rolled_back_queues_no_mail():
    therapist = listed()
    with pytest.raises(RuntimeError), transaction.atomic():
        notifications.send_now_listed(therapist)
        raise RuntimeError("the change failed")
    assert not DBTaskResult.objects.exists()


def test_a_failed_send_is_retried_with_growing_delays_then_marked_failed(settings):
    settings.EMAIL_BACKEND = "tests.test_mail_tasks.RefusingBackend"
    therapist = listed()
    notifications.send_now_listed(therapist)
    for attempt, delay in enumerate(directory_mail.RETRY_DELAYS, start=1):
        started = timezone.now()
        assert run_tasks() == 1
        retry = DBTaskResult.objects.get(status="READY")
        assert retry.args_kwargs["kwargs"]["attempt"] == attempt + 1
        assert abs((retry.run_after - started).total_seconds() - delay) < 5
        assert run_tasks() == 0  # not due yet
        make_retries_due()
    assert run_tasks() == 1
    failed = DBTaskResult.objects.get(status="FAILED")
    assert failed.exception_class_path == "directory.mail.MailNotSent"
    assert DBTaskResult.objects.count() == directory_mail.MAX_ATTEMPTS
    assert not DBTaskResult.objects.filter(status="READY").exists()


def test_a_retry_sends_the_mail_once_the_server_answers(settings):
    settings.EMAIL_BACKEND = "tests.test_mail_tasks.RefusingBackend"
    notifications.send_now_listed(listed())
    run_tasks()
    settings.EMAIL_BACKEND = "tests.mail_helpers.OutsideRequestsOnlyBackend"
    make_retries_due()
    run_tasks()
    assert len(mail.outbox) == 1
    assert not DBTaskResult.objects.filter(status="READY").exists()


def test_a_message_the_server_accepted_is_never_sent_again(settings):
    settings.EMAIL_BACKEND = "tests.test_mail_tasks.AcceptsThenFailsToCloseBackend"
    notifications.send_now_listed(listed())
    run_tasks()
    make_retries_due()
    run_tasks()
    assert len(mail.outbox) == 1
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_mail_about_something_deleted_meanwhile_is_dropped():
    therapist = listed()
    notifications.send_now_listed(therapist)
    therapist.user.delete()
    run_tasks()
    assert mail.outbox == []
    assert DBTaskResult.objects.get().return_value == "nothing to send"


def test_superusers_see_task_results_in_the_admin():
    from django.contrib import admin

    assert DBTaskResult in admin.site._registry
