"""Business rules that change profiles and credentials and record why.

Each function is the only way the app makes its change, so each change
leaves its verification event behind.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from directory import notifications
from directory.listing import missing_parts
from directory.models import Credential, Profile, VerificationEvent, lock_profiles

Action = VerificationEvent.Action


def record_event(*, profile: Profile, action: str, actor=None, credential: Credential | None = None, note: str = ""):
    return VerificationEvent.objects.create(
        profile=profile, credential=credential, actor=actor, action=action, note=note
    )


def delete_file_on_commit(*, storage, name: str) -> None:
    """Delete a stored file once the current transaction commits (never if it rolls back)."""
    if name:
        transaction.on_commit(lambda: storage.delete(name))


class SubmissionRefused(ValidationError):
    """The profile lacks parts it needs before review; ``reasons`` says which."""

    def __init__(self, reasons):
        self.reasons = reasons
        super().__init__([reason.message for reason in reasons])


def submission_blockers(profile: Profile):
    """Everything that stops a submission: missing profile parts, no location, no credential."""
    blockers = list(missing_parts(profile))
    from directory.listing import NO_LOCATION, Reason

    if not profile.locations.exists():
        blockers.append(NO_LOCATION)
    live = profile.credentials.exclude(status=Credential.Status.WITHDRAWN)
    if not live.filter(kind__in=Credential.PRACTISE_KINDS).exists():
        blockers.append(
            Reason(
                "no_practise_credential",
                "Add your licence or registration to practise (or a statement that massage is not "
                "regulated where you work).",
            )
        )
    if not live.filter(kind__in=Credential.ONCOLOGY_KINDS).exists():
        blockers.append(Reason("no_oncology_credential", "Add your oncology massage training or CLT certification."))
    return blockers


@transaction.atomic
def submit_for_review(*, profile: Profile, actor) -> Profile:
    blockers = submission_blockers(profile)
    if blockers:
        raise SubmissionRefused(blockers)
    profile.submitted_at = timezone.now()
    profile.save(update_fields=["submitted_at", "updated_at"])
    record_event(profile=profile, action=Action.SUBMITTED, actor=actor, note="Profile submitted for review.")
    return profile


def _return_to_review(*, credential: Credential, actor, note: str) -> None:
    credential.status = Credential.Status.PENDING
    credential.reviewed_by = None
    credential.reviewed_at = None
    credential.verified_on = None
    credential.method = ""
    credential.reference = ""
    credential.name_matches = False
    record_event(profile=credential.profile, credential=credential, action=Action.RETURNED, actor=actor, note=note)


@transaction.atomic
def save_credential(*, credential: Credential, actor, changed_fields: list[str] | tuple[str, ...] = ()) -> Credential:
    """Save a therapist's new or edited credential.

    A new credential waits for review. Changing the substance of a verified
    or rejected credential sends it back to review, with an event saying what changed.
    """
    is_new = credential.pk is None
    substance_changed = [f for f in changed_fields if f in Credential.SUBSTANCE_FIELDS]
    if credential.status == Credential.Status.WITHDRAWN:
        raise PermissionDenied("A withdrawn credential cannot be changed; add a new one.")
    if not is_new and substance_changed and credential.status != Credential.Status.PENDING:
        labels = ", ".join(Credential._meta.get_field(f).verbose_name for f in substance_changed)
        _return_to_review(credential=credential, actor=actor, note=f"Changed by the therapist: {labels}.")
    credential.save()
    if is_new:
        record_event(
            profile=credential.profile,
            credential=credential,
            action=Action.SUBMITTED,
            actor=actor,
            note="Credential added.",
        )
    return credential


@transaction.atomic
def save_profile(
    *, profile: Profile, actor, changed_fields: list[str] | tuple[str, ...] = (), save_m2m=None
) -> Profile:
    """Save the therapist's profile. A new name sends verified credentials back to review:
    reviewers check that the name on each credential matches the profile.

    ``save_m2m`` (a ModelForm's) runs after the profile is saved, so the
    search text below sees the services just chosen. A photo that was
    replaced or cleared is deleted from storage once the change is committed:
    its address is public, so it must stop answering."""
    stored_photo = Profile.objects.filter(pk=profile.pk).values_list("photo", flat=True).first() if profile.pk else ""
    profile.save()
    if stored_photo and stored_photo != profile.photo.name:
        delete_file_on_commit(storage=profile.photo.storage, name=stored_photo)
    if save_m2m is not None:
        save_m2m()
    if "display_name" in changed_fields:
        for credential in profile.credentials.filter(status=Credential.Status.VERIFIED):
            _return_to_review(
                credential=credential,
                actor=actor,
                note="The profile name changed; the name on this credential must be checked again.",
            )
            credential.save()
    from directory.search.words import refresh_search_text

    refresh_search_text(profile)
    return profile


@transaction.atomic
def withdraw_credential(*, credential: Credential, actor) -> Credential:
    """Remove a credential from the profile; its record and history stay."""
    if credential.status == Credential.Status.WITHDRAWN:
        return credential
    credential.status = Credential.Status.WITHDRAWN
    credential.withdrawn_at = timezone.now()
    credential.save(update_fields=["status", "withdrawn_at", "updated_at"])
    record_event(
        profile=credential.profile,
        credential=credential,
        action=Action.WITHDRAWN,
        actor=actor,
        note="Removed by the therapist.",
    )
    return credential


def _check_reviewer(*, profile: Profile, reviewer) -> None:
    """Only a reviewer decides, and never about their own profile."""
    from directory.permissions import is_reviewer

    if not is_reviewer(reviewer):
        raise PermissionDenied("Only reviewers can make review decisions.")
    if profile.user_id == reviewer.pk:
        raise PermissionDenied("Reviewers cannot review their own profile.")


class DuplicateLicence(ValidationError):
    pass


def licence_verified_elsewhere(credential: Credential) -> bool:
    """A licence (jurisdiction + number) is verified for one profile only.

    The same profile may hold it twice: a renewal keeps its number and the
    old record stays verified until it expires. Two reviewers must not
    verify one licence for two profiles at once, so the check holds a lock
    on the licence until the transaction ends: an advisory lock on
    PostgreSQL; SQLite's immediate transactions already run one writer at a time.
    """
    jurisdiction = credential.jurisdiction.strip().lower()
    identifier = credential.identifier.strip().lower()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"licence|{jurisdiction}|{identifier}"])
    same_licence = Credential.objects.filter(
        kind=Credential.Kind.LICENCE,
        status=Credential.Status.VERIFIED,
        jurisdiction__iexact=jurisdiction,
        identifier__iexact=identifier,
    )
    return same_licence.exclude(profile_id=credential.profile_id).exists()


@transaction.atomic
def verify_credential(
    *,
    credential: Credential,
    reviewer,
    method: str,
    reference: str = "",
    name_matches: bool,
    internal_note: str = "",
    note_to_therapist: str = "",
) -> Credential:
    _check_reviewer(profile=credential.profile, reviewer=reviewer)
    if credential.status == Credential.Status.WITHDRAWN:
        raise ValidationError("This credential was withdrawn by the therapist.")
    if method not in Credential.Method.values:
        raise ValidationError("Choose how you verified this credential.")
    if not name_matches:
        raise ValidationError("Confirm that the name at the source matches the profile.")
    if credential.kind == Credential.Kind.LICENCE and licence_verified_elsewhere(credential):
        raise DuplicateLicence("This licence number is already verified for another profile in this jurisdiction.")
    was_listed = Profile.objects.listed().filter(pk=credential.profile_id).exists()
    now = timezone.now()
    credential.status = Credential.Status.VERIFIED
    credential.reviewed_by = reviewer
    credential.reviewed_at = now
    credential.verified_on = timezone.localdate(now)
    credential.method = method
    credential.reference = reference
    credential.name_matches = True
    credential.internal_note = internal_note
    credential.note_to_therapist = note_to_therapist
    try:
        with transaction.atomic():
            credential.save()
    except IntegrityError:
        raise DuplicateLicence(
            "This licence number is already verified for another profile in this jurisdiction."
        ) from None
    # The event note is what the therapist sees on their dashboard: never the internal note.
    record_event(
        profile=credential.profile,
        credential=credential,
        action=Action.VERIFIED,
        actor=reviewer,
        note=note_to_therapist or f"Verified by {credential.get_method_display().lower()}.",
    )
    # Emails are queued as rows of this transaction: they go only if the decision is saved.
    notifications.send_decision(credential)
    if not was_listed and Profile.objects.listed().filter(pk=credential.profile_id).exists():
        notifications.send_now_listed(credential.profile)
    return credential


@transaction.atomic
def reject_credential(
    *, credential: Credential, reviewer, note_to_therapist: str, internal_note: str = ""
) -> Credential:
    _check_reviewer(profile=credential.profile, reviewer=reviewer)
    if credential.status == Credential.Status.WITHDRAWN:
        raise ValidationError("This credential was withdrawn by the therapist.")
    if not note_to_therapist.strip():
        raise ValidationError("Write a message to the therapist saying why.")
    credential.status = Credential.Status.REJECTED
    credential.reviewed_by = reviewer
    credential.reviewed_at = timezone.now()
    credential.verified_on = None
    credential.method = ""
    credential.reference = ""
    credential.name_matches = False
    credential.note_to_therapist = note_to_therapist
    credential.internal_note = internal_note
    credential.save()
    record_event(
        profile=credential.profile,
        credential=credential,
        action=Action.REJECTED,
        actor=reviewer,
        note=note_to_therapist,
    )
    notifications.send_decision(credential)
    return credential


@transaction.atomic
def suspend_profile(*, profile: Profile, reviewer, reason: str) -> Profile:
    _check_reviewer(profile=profile, reviewer=reviewer)
    if profile.is_suspended:
        raise ValidationError("This profile is already suspended.")
    if not reason.strip():
        raise ValidationError("Give a reason for the suspension.")
    profile.suspended_at = timezone.now()
    profile.suspension_reason = reason
    profile.save(update_fields=["suspended_at", "suspension_reason", "updated_at"])
    record_event(profile=profile, action=Action.SUSPENDED, actor=reviewer, note=reason)
    notifications.send_suspension(profile, suspended=True)
    return profile


@transaction.atomic
def reinstate_profile(*, profile: Profile, reviewer, reason: str) -> Profile:
    _check_reviewer(profile=profile, reviewer=reviewer)
    if not profile.is_suspended:
        raise ValidationError("This profile is not suspended.")
    if not reason.strip():
        raise ValidationError("Give a reason for reinstating the profile.")
    profile.suspended_at = None
    profile.suspension_reason = ""
    profile.save(update_fields=["suspended_at", "suspension_reason", "updated_at"])
    record_event(profile=profile, action=Action.REINSTATED, actor=reviewer, note=reason)
    notifications.send_suspension(profile, suspended=False)
    return profile


def record_evidence_opened(*, credential: Credential, actor) -> None:
    """A reviewer looked at the document: the audit trail says who and when."""
    record_event(
        profile=credential.profile,
        credential=credential,
        action=Action.EVIDENCE_OPENED,
        actor=actor,
        note="Evidence opened by a reviewer.",
    )


@transaction.atomic
def delete_account(*, user) -> None:
    """Delete a therapist's account at their request.

    The profile leaves the directory in this transaction; its locations,
    credentials, evidence documents, photo and enquiries go with it, and the
    account itself. The review history stays, as the record of what reviewers
    did, but detached: no link to the profile, credentials or person, and no notes.
    The files are deleted once the transaction has committed.
    """
    profile = Profile.objects.filter(user=user).first()
    if profile is not None:
        lock_profiles([profile.pk])
        label = f"Deleted profile {profile.pk}"
        events = VerificationEvent.objects.filter(profile=profile)
        credentials = list(profile.credentials.all())
        for credential in credentials:
            events.filter(credential=credential).keep_without_person(
                profile_label=label, credential_label=credential.get_kind_display()
            )
        events.keep_without_person(profile_label=label)
        if profile.photo:
            delete_file_on_commit(storage=profile.photo.storage, name=profile.photo.name)
        for credential in credentials:
            if credential.evidence:
                delete_file_on_commit(storage=credential.evidence.storage, name=credential.evidence.name)
        profile.delete()
    VerificationEvent.objects.forget_actor(user)
    user.delete()
