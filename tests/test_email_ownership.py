"""An address that an account has not confirmed never blocks or captures
another person: one address per account, changed by confirming a code."""

import importlib
import re
import time
from types import SimpleNamespace

import pytest
from allauth.account.models import EmailAddress
from allauth.core.internal import ratelimit as allauth_ratelimit
from django.apps import apps
from django.core import mail
from django.db import connection
from django.test import Client

from accounts.models import User
from tests.factories import PASSWORD, make_user
from tests.mail_helpers import run_tasks

pytestmark = pytest.mark.django_db

VICTIM = "victim@example.test"
VICTIM_PASSWORD = "victims-own-long-passphrase"
NEW_PASSWORD = "victims-newer-long-passphrase"


def last_mail_to(address: str):
    run_tasks()
    sent = [message for message in mail.outbox if address in message.to]
    assert sent, f"no mail to {address}"
    return sent[-1]


def code_in(message) -> str:
    match = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", message.body, re.MULTILINE)
    assert match, message.body
    return match.group(1)


def link_in(message) -> str:
    match = re.search(r"https?://testserver(/accounts/\S+)", message.body)
    assert match, message.body
    return match.group(1)


class _Later:
    """The time module, some seconds on: allauth's rate-limit windows see time pass."""

    def __init__(self, seconds: float):
        self.seconds = seconds

    def __getattr__(self, name):
        return getattr(time, name)

    def time(self) -> float:
        return time.time() + self.seconds


def test_an_attacker_cannot_pre_claim_an_address_and_the_victim_ends_in_their_own_account(client, monkeypatch):
    attacker = make_user("attacker@example.test")
    client.force_login(attacker)
    response = client.post("/accounts/email/", {"action_add": "", "email": VICTIM})
    assert response.status_code == 302
    # The address waits in the attacker's session only: nothing in the database reserves it.
    assert not EmailAddress.objects.filter(email__iexact=VICTIM).exists()
    attacker.refresh_from_db()
    assert attacker.email == "attacker@example.test"
    # A guessed code does not confirm it.
    client.post("/accounts/confirm-email/", {"code": "AAAA-AAAA"})
    assert not EmailAddress.objects.filter(email__iexact=VICTIM).exists()

    # Some time later (codes to one address go at most once in 10 seconds), the
    # victim signs up in their own browser and confirms with the code sent to them.
    monkeypatch.setattr(allauth_ratelimit, "time", _Later(60))
    victim_browser = Client()
    response = victim_browser.post(
        "/accounts/signup/", {"email": VICTIM, "password1": VICTIM_PASSWORD, "password2": VICTIM_PASSWORD}
    )
    assert response.status_code == 302
    victim = User.objects.get(email=VICTIM)
    assert victim.pk != attacker.pk
    response = victim_browser.post("/accounts/confirm-email/", {"code": code_in(last_mail_to(VICTIM))})
    assert response.status_code == 302
    assert int(victim_browser.session["_auth_user_id"]) == victim.pk
    assert EmailAddress.objects.get(email=VICTIM).user == victim

    # The victim resets their own password and signs in to their own account.
    victim_browser.post("/accounts/logout/")
    mail.outbox.clear()
    victim_browser.post("/accounts/password/reset/", {"email": VICTIM})
    response = victim_browser.get(link_in(last_mail_to(VICTIM)))
    assert response.status_code == 302
    response = victim_browser.post(response["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    victim_browser.post("/accounts/login/", {"login": VICTIM, "password": NEW_PASSWORD})
    assert int(victim_browser.session["_auth_user_id"]) == victim.pk
    attacker.refresh_from_db()
    assert attacker.check_password(PASSWORD)
    assert list(attacker.emailaddress_set.values_list("email", flat=True)) == ["attacker@example.test"]


def test_a_therapist_changes_their_address_by_confirming_a_code(client):
    therapist = make_user("old@example.test")
    client.force_login(therapist)
    client.post("/accounts/email/", {"action_add": "", "email": "new@example.test"})
    message = last_mail_to("new@example.test")
    response = client.post("/accounts/confirm-email/", {"code": code_in(message)})
    assert response.status_code == 302
    therapist.refresh_from_db()
    assert therapist.email == "new@example.test"
    assert list(therapist.emailaddress_set.values_list("email", "verified", "primary")) == [
        ("new@example.test", True, True)
    ]
    # The old address is told of the change.
    assert last_mail_to("old@example.test")


def test_the_migration_removes_unverified_second_addresses_only():
    owner = make_user("owner@example.test")
    EmailAddress.objects.create(user=owner, email=VICTIM, verified=False, primary=False)
    EmailAddress.objects.create(user=owner, email="confirmed.second@example.test", verified=True, primary=False)
    newcomer = make_user("newcomer@example.test", verified=False)

    migration = importlib.import_module("accounts.migrations.0003_remove_unverified_secondary_addresses")
    migration.remove_unverified_secondary_addresses(apps, SimpleNamespace(connection=connection))

    assert not EmailAddress.objects.filter(email=VICTIM).exists()
    assert EmailAddress.objects.filter(email="confirmed.second@example.test").exists()
    # A new account's own unconfirmed address stays: it is how they confirm it.
    assert EmailAddress.objects.filter(user=newcomer, verified=False, primary=True).exists()
