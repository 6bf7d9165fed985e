"""Business rules that change profiles and credentials and record why.

Each function is the only way the app makes its change, so each change
leaves its verification event behind, and each one that changes what the
listing rule or the search reads (a profile, its links, locations or
credentials) ends with ``listing_changed``: the stored listing and the
search rows follow in the same transaction (listing.refresh_listing). The
admin saves through these functions too.
"""

import calendar
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from directory import jurisdictions, notifications
from directory.listing import listed_q, missing_parts, refresh_listing
from directory.models import Concern, Credential, Location, Profile, SearchEdition, VerificationEvent, lock_profiles

Action = VerificationEvent.Action


def listing_changed(*profiles: Profile | int) -> None:
    """After a change to profiles, their links, locations or credentials: store what the listing
    rule and the search derive from them (the one writer, listing.refresh_listing)."""
    ids = [profile if isinstance(profile, int) else profile.pk for profile in profiles]
    refresh_listing(Profile.objects.filter(pk__in=ids))


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
                "Add your licence or registration to practise. Where massage is not regulated, add a "
                "registration on a voluntary register (such as CNHC) or a professional-body membership: a "
                "statement alone is not enough.",
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
    listing_changed(profile)
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


# What a revision copies from the therapist's edit of a verified credential.
REVISION_FIELDS = (*Credential.SUBSTANCE_FIELDS, "evidence_content_type")


def _submit_revision(*, credential: Credential, actor, changed: list[str]) -> Credential:
    """Keep the verified version in force and put the edit beside it as a pending revision.

    A second edit before the reviewers decide updates the same revision."""
    revision = credential.revisions.filter(status=Credential.Status.PENDING).first() or Credential(
        profile=credential.profile, revises=credential
    )
    for field in REVISION_FIELDS:
        setattr(revision, field, getattr(credential, field))
    revision.save()
    labels = ", ".join(str(Credential._meta.get_field(f).verbose_name) for f in changed)
    record_event(
        profile=credential.profile, credential=revision, action=Action.REVISION_SUBMITTED, actor=actor,
        note=f"Change waiting for review: {labels}. The verified version stays on the profile until then.",
    )  # fmt: skip
    return revision


@transaction.atomic
def save_credential(*, credential: Credential, actor, changed_fields: list[str] | tuple[str, ...] = ()) -> Credential:
    """Save a therapist's new or edited credential.

    A new credential waits for review. A change to the substance of a verified
    credential waits as a pending revision while the verified version stays
    listed and shown; a rejected one goes back to review. Returns the row saved
    (the revision, for a verified credential).
    """
    is_new = credential.pk is None
    substance_changed = [f for f in changed_fields if f in Credential.SUBSTANCE_FIELDS]
    if credential.status in (Credential.Status.WITHDRAWN, Credential.Status.REPLACED):
        raise PermissionDenied("A withdrawn credential cannot be changed; add a new one.")
    if not is_new and substance_changed and credential.status == Credential.Status.VERIFIED:
        return _submit_revision(credential=credential, actor=actor, changed=substance_changed)
    if not is_new and substance_changed and credential.status != Credential.Status.PENDING:
        labels = ", ".join(str(Credential._meta.get_field(f).verbose_name) for f in substance_changed)
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
    listing_changed(credential.profile_id)
    return credential


@transaction.atomic
def save_profile(
    *, profile: Profile, actor, changed_fields: list[str] | tuple[str, ...] = (), save_m2m=None
) -> Profile:
    """Save the therapist's profile. Once a credential is verified, a new name
    waits for review (it must match the licence): the verified name stays on
    the page until a reviewer checks the new one at the source.

    ``save_m2m`` (a ModelForm's) runs after the profile is saved, so the
    search text below sees the services just chosen. A photo that was
    replaced or cleared is deleted from storage once the change is committed:
    its address is public, so it must stop answering."""
    stored_photo = Profile.objects.filter(pk=profile.pk).values_list("photo", flat=True).first() if profile.pk else ""
    if "display_name" in changed_fields and profile.pk is not None:
        verified_name = Profile.objects.filter(pk=profile.pk).values_list("display_name", flat=True).get()
        if profile.credentials.filter(status=Credential.Status.VERIFIED).exists():
            new_name = profile.display_name
            profile.display_name = verified_name
            profile.pending_display_name = "" if new_name == verified_name else new_name
            if profile.pending_display_name:
                record_event(
                    profile=profile, action=Action.REVISION_SUBMITTED, actor=actor,
                    note=f"Name change waiting for review: “{new_name}”.",
                )  # fmt: skip
    profile.save()
    if stored_photo and stored_photo != profile.photo.name:
        delete_file_on_commit(storage=profile.photo.storage, name=stored_photo)
    if save_m2m is not None:
        save_m2m()
    from directory.search.words import refresh_search_text

    refresh_search_text(profile)
    listing_changed(profile)
    return profile


@transaction.atomic
def decide_name_change(*, profile: Profile, reviewer, accept: bool, note: str = "") -> Profile:
    """Verify or reject a waiting name change; either way it is recorded."""
    _check_reviewer(profile=profile, reviewer=reviewer)
    if not profile.pending_display_name:
        raise ValidationError("No name change is waiting for this profile.")
    if not accept and not note.strip():
        raise ValidationError("Write a message to the therapist saying why.")
    new_name = profile.pending_display_name
    if accept:
        profile.display_name = new_name
    profile.pending_display_name = ""
    profile.save()
    action, text = (Action.VERIFIED, f"Name change to “{new_name}” checked at the source.") if accept else (
        Action.REJECTED, note.strip()
    )  # fmt: skip
    record_event(profile=profile, action=action, actor=reviewer, note=note.strip() or text)
    from directory.search.words import refresh_search_text

    refresh_search_text(profile)
    listing_changed(profile)
    return profile


@transaction.atomic
def withdraw_credential(*, credential: Credential, actor) -> Credential:
    """Remove a credential from the profile; its record and history stay."""
    if credential.status == Credential.Status.WITHDRAWN:
        return credential
    for revision in credential.revisions.filter(status=Credential.Status.PENDING):
        withdraw_credential(credential=revision, actor=actor)
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
    listing_changed(credential.profile_id)
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


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it has fewer days."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_recheck(credential: Credential, checked_on: date) -> date | None:
    """A right to practise is checked again after the set months, or at expiry if sooner."""
    if credential.kind not in Credential.PRACTISE_KINDS:
        return None
    due = add_months(checked_on, settings.CREDENTIAL_RECHECK_MONTHS)
    return min(due, credential.expires_on) if credential.expires_on else due


def standard_problems(
    *,
    credential: Credential,
    reviewer,
    method: str,
    source: str,
    register_status: str,
    disciplinary_action: bool | None,
    action_decision: str,
) -> list[str]:
    """What the verification standard still asks for, in the reviewer's words; empty when met.

    A licence or registration is looked up at the public register where one
    exists, with what was seen there; a disciplinary action needs an
    administrator's recorded decision. The jurisdiction decides which path a
    right to practise takes (directory/data/jurisdictions.csv).
    """
    problems = []
    kind = credential.kind
    if kind in (*Credential.PRACTISE_KINDS, Credential.Kind.UNREGULATED):
        entry = jurisdictions.find(credential.jurisdiction)
        if entry is None:
            return [
                f"“{credential.jurisdiction or 'No jurisdiction'}” is not in the table of jurisdictions. "
                "Ask the therapist to name the state, province or country, or an administrator to add it."
            ]
        if kind == Credential.Kind.LICENCE and not entry.regulates:
            problems.append(
                f"{entry.name} does not license massage, so this cannot be verified as a licence. Ask the "
                "therapist to add it as a voluntary registration or a professional-body membership."
            )
        if kind in (Credential.Kind.VOLUNTARY_REGISTER, Credential.Kind.MEMBERSHIP) and entry.regulates:
            problems.append(f"{entry.name} licenses massage: only a licence from the {entry.register} counts there.")
        if kind in Credential.REGISTER_KINDS and entry.has_register:
            if method != Credential.Method.REGISTRY:
                problems.append(f"{entry.name} has a public register: the method must be a registry look-up.")
            if not source.strip():
                problems.append("Name the register you consulted.")
            if not register_status.strip():
                problems.append("Say what status the register shows, such as “Active”.")
            if disciplinary_action is None:
                problems.append("Say whether the register shows any public disciplinary action.")
            elif disciplinary_action and not reviewer.is_superuser:
                problems.append(
                    "The register shows a disciplinary action: only an administrator can verify this "
                    "credential, with a recorded decision."
                )
            elif disciplinary_action and not action_decision.strip():
                problems.append("Write your decision about the disciplinary action and why.")
    if kind == Credential.Kind.ONCOLOGY_TRAINING and (credential.training_hours is None or credential.hands_on is None):
        problems.append("Record the training hours and whether it included supervised hands-on practice.")
    return problems


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
    source: str = "",
    register_status: str = "",
    disciplinary_action: bool | None = None,
    action_decision: str = "",
    training_hours: int | None = None,
    hands_on: bool | None = None,
) -> Credential:
    _check_reviewer(profile=credential.profile, reviewer=reviewer)
    if credential.status == Credential.Status.WITHDRAWN:
        raise ValidationError("This credential was withdrawn by the therapist.")
    if method not in Credential.Method.values:
        raise ValidationError("Choose how you verified this credential.")
    if not name_matches:
        raise ValidationError("Confirm that the name at the source matches the profile.")
    # The reviewer's reading of the certificate wins over what the therapist typed.
    if training_hours is not None:
        credential.training_hours = training_hours
    if hands_on is not None:
        credential.hands_on = hands_on
    problems = standard_problems(
        credential=credential, reviewer=reviewer, method=method, source=source,
        register_status=register_status, disciplinary_action=disciplinary_action, action_decision=action_decision,
    )  # fmt: skip
    if problems:
        raise ValidationError(problems)
    if credential.kind == Credential.Kind.LICENCE and licence_verified_elsewhere(credential):
        raise DuplicateLicence("This licence number is already verified for another profile in this jurisdiction.")
    # The rule itself, read live (not the stored listing, which may be refreshed later, see listing.refresh_once).
    was_listed = Profile.objects.filter(listed_q(), pk=credential.profile_id).exists()
    now = timezone.now()
    replaced = credential.revises
    if replaced is not None and replaced.status == Credential.Status.VERIFIED:
        # The revision takes over from the version patients saw until now.
        replaced.status = Credential.Status.REPLACED
        replaced.save(update_fields=["status", "updated_at"])
    credential.status = Credential.Status.VERIFIED
    credential.reviewed_by = reviewer
    credential.reviewed_at = now
    credential.verified_on = timezone.localdate(now)
    credential.method = method
    credential.reference = reference
    credential.name_matches = True
    credential.source = source.strip()
    at_register = credential.kind in Credential.REGISTER_KINDS
    credential.register_status = register_status.strip() if at_register else ""
    credential.disciplinary_action = disciplinary_action if at_register else None
    credential.recheck_due_on = next_recheck(credential, credential.verified_on)
    credential.internal_note = internal_note
    credential.note_to_therapist = note_to_therapist
    try:
        with transaction.atomic():
            credential.save()
    except IntegrityError:
        raise DuplicateLicence(
            "This licence number is already verified for another profile in this jurisdiction."
        ) from None
    if disciplinary_action:
        record_event(
            profile=credential.profile, credential=credential, action=Action.ACTION_DECIDED,
            actor=reviewer, note=action_decision.strip(),
        )  # fmt: skip
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
    listing_changed(credential.profile_id)
    if not was_listed and Profile.objects.filter(listed_q(), pk=credential.profile_id).exists():
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
    listing_changed(credential.profile_id)
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
    listing_changed(profile)
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
    listing_changed(profile)
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
        profile.delete()  # with its search rows
        SearchEdition.objects.advance()
    VerificationEvent.objects.forget_actor(user)
    user.delete()


# --- Locations, and what the admin changes


@transaction.atomic
def save_location(*, location: Location) -> Location:
    """Save a practice location or home-visit area of a profile (moved to another profile in
    the admin, the one it leaves changes too)."""
    before = Location.objects.filter(pk=location.pk).values_list("profile_id", flat=True).first()
    location.save()
    listing_changed(*{location.profile_id, before} - {None})
    return location


@transaction.atomic
def remove_locations(locations) -> None:
    """Remove locations (a queryset); their profiles' listing follows."""
    profile_ids = list(locations.values_list("profile_id", flat=True).distinct())
    lock_profiles(profile_ids)
    locations.delete()
    listing_changed(*profile_ids)


@transaction.atomic
def delete_profiles(profiles) -> None:
    """Delete profiles (a queryset, from the admin): they leave the search at once."""
    lock_profiles(profiles.values("pk"))
    profiles.delete()
    SearchEdition.objects.advance()


@transaction.atomic
def delete_vocabulary_entries(entries) -> None:
    """Delete vocabulary entries (a queryset): a profile that loses its only service is no longer listed."""
    profile_ids = list(entries.exclude(profiles=None).order_by().values_list("profiles", flat=True).distinct())
    lock_profiles(profile_ids)
    entries.delete()
    listing_changed(*profile_ids)


# --- Concerns


@transaction.atomic
def report_concern(*, profile: Profile, reason: str, details: str, email: str = "") -> Concern:
    """Save a concern; the receipt (no report text) is queued in the same transaction."""
    concern = Concern.objects.create(profile=profile, reason=reason, details=details.strip(), email=email.strip())
    record_event(
        profile=profile, action=Action.CONCERN_REPORTED,
        note=f"Concern reported: {concern.get_reason_display().lower()}.",
    )  # fmt: skip
    notifications.send_concern_receipt(concern)
    return concern


@transaction.atomic
def resolve_concern(*, concern: Concern, reviewer, outcome: str, note: str) -> Concern:
    """Close a concern with an outcome and a note, both recorded; "suspended" suspends the profile."""
    profile = concern.profile
    _check_reviewer(profile=profile, reviewer=reviewer)
    if not concern.is_open:
        raise ValidationError("This concern was already resolved.")
    if outcome not in Concern.Outcome.values:
        raise ValidationError("Choose an outcome.")
    if not note.strip():
        raise ValidationError("Write a note saying what you found and did.")
    if outcome == Concern.Outcome.SUSPENDED and not profile.is_suspended:
        suspend_profile(profile=profile, reviewer=reviewer, reason=note.strip())
    concern.outcome = outcome
    concern.resolution_note = note.strip()
    concern.resolved_by = reviewer
    concern.resolved_at = timezone.now()
    concern.save()
    record_event(
        profile=profile, action=Action.CONCERN_RESOLVED, actor=reviewer,
        note=f"{concern.get_outcome_display()}: {note.strip()}",
    )  # fmt: skip
    notifications.send_concern_outcome(concern)
    return concern


# --- Re-checks


@transaction.atomic
def recheck_credential(
    *,
    credential: Credential,
    reviewer,
    method: str,
    source: str,
    register_status: str,
    disciplinary_action: bool | None,
    still_valid: bool,
    note: str = "",
    action_decision: str = "",
) -> Credential:
    """Look a verified licence or registration up again: a decision like any other.

    Still valid: it counts from today for another period. Not valid: it stops
    counting at once and the therapist is told why. Either way an event says
    how, where and what was found."""
    _check_reviewer(profile=credential.profile, reviewer=reviewer)
    if credential.status != Credential.Status.VERIFIED or credential.kind not in Credential.PRACTISE_KINDS:
        raise ValidationError("Only a verified licence or registration is re-checked.")
    if still_valid:
        problems = standard_problems(
            credential=credential, reviewer=reviewer, method=method, source=source,
            register_status=register_status, disciplinary_action=disciplinary_action, action_decision=action_decision,
        )  # fmt: skip
        if problems:
            raise ValidationError(problems)
    elif not note.strip():
        raise ValidationError("Write a message to the therapist saying what the register shows.")
    today = timezone.localdate()
    found = f"status “{register_status.strip()}”" if register_status.strip() else "checked"
    where = source.strip() or credential.issuer
    summary = f"Re-checked at {where} by {Credential.Method(method).label.lower()}: {found}."
    if still_valid:
        credential.verified_on = today
        credential.reviewed_by = reviewer
        credential.reviewed_at = timezone.now()
        credential.method = method
        credential.source = source.strip()
        credential.register_status = register_status.strip()
        credential.disciplinary_action = disciplinary_action
        credential.recheck_due_on = next_recheck(credential, today)
        credential.save()
        if disciplinary_action:
            record_event(
                profile=credential.profile, credential=credential, action=Action.ACTION_DECIDED,
                actor=reviewer, note=action_decision.strip(),
            )  # fmt: skip
        record_event(profile=credential.profile, credential=credential, action=Action.RECHECKED, actor=reviewer,
                     note=f"{summary} Still valid.")  # fmt: skip
        listing_changed(credential.profile_id)
        return credential
    credential.status = Credential.Status.REJECTED
    credential.note_to_therapist = note.strip()
    credential.reviewed_by = reviewer
    credential.reviewed_at = timezone.now()
    credential.save()
    record_event(profile=credential.profile, credential=credential, action=Action.RECHECKED, actor=reviewer,
                 note=f"{summary} No longer valid: {note.strip()}")  # fmt: skip
    notifications.send_decision(credential)
    listing_changed(credential.profile_id)
    return credential


def rechecks_due(today: date | None = None):
    """Verified licences and registrations due for a re-check (or overdue), oldest first."""
    today = today or timezone.localdate()
    return (
        Credential.objects.filter(
            status=Credential.Status.VERIFIED, kind__in=Credential.PRACTISE_KINDS, recheck_due_on__lte=today
        )
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        .select_related("profile")
        .order_by("recheck_due_on", "id")
    )
