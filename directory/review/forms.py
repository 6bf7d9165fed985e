"""Forms on the reviewers' pages."""

import hashlib

from django import forms

from directory.models import Concern, Credential


class QueueFilterForm(forms.Form):
    """Narrow the queue by therapist, kind and jurisdiction (GET, so a filtered queue can be bookmarked)."""

    q = forms.CharField(label="Therapist name", required=False, max_length=120)
    kind = forms.ChoiceField(label="Kind", required=False)
    jurisdiction = forms.ChoiceField(label="Jurisdiction", required=False)

    def __init__(self, *args, jurisdictions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "All kinds"), *Credential.Kind.choices]
        self.fields["jurisdiction"].choices = [("", "All jurisdictions")] + [(j, j) for j in jurisdictions]
        self.fields["kind"].error_messages["invalid_choice"] = "Choose a kind from the list."
        self.fields["jurisdiction"].error_messages["invalid_choice"] = (
            "No credential waits for review in that jurisdiction. Choose one from the list."
        )


def review_version(credential: Credential) -> str:
    """A short fingerprint of what the reviewer saw: the credential as last
    saved and the profile's name. A decision on anything else is refused."""
    seen = f"{credential.pk}|{credential.updated_at.isoformat()}|{credential.profile.display_name}"
    return hashlib.sha256(seen.encode()).hexdigest()[:20]


class DecisionForm(forms.Form):
    seen_version = forms.CharField(widget=forms.HiddenInput, max_length=40)

    def changed_since_opened(self, credential: Credential) -> bool:
        return self.cleaned_data.get("seen_version") != review_version(credential)

    def decision(self) -> dict:
        """The cleaned data the service takes: everything but the version."""
        return {name: value for name, value in self.cleaned_data.items() if name != "seen_version"}


class VerifyForm(DecisionForm):
    method = forms.ChoiceField(
        label="How did you verify it?",
        choices=Credential.Method.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how you verified this credential."},
    )
    source = forms.CharField(
        label="Register or source consulted",
        max_length=200,
        required=False,
        help_text="Required for a registry look-up, such as “Oregon Board of Massage Therapists”. Patients see it.",
    )
    register_status = forms.CharField(
        label="Status shown at the register",
        max_length=80,
        required=False,
        help_text="Required for a licence or registration, such as “Active”.",
    )
    disciplinary_action = forms.TypedChoiceField(
        label="Does the register show any public disciplinary action?",
        choices=[("no", "No"), ("yes", "Yes")],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    action_decision = forms.CharField(
        label="Administrator's decision about the disciplinary action",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only an administrator can verify a credential with a disciplinary action. Recorded in the history.",
    )
    training_hours = forms.IntegerField(
        label="Training hours on the certificate",
        required=False,
        min_value=1,
        max_value=5000,
        help_text="For training: our standard asks for at least 24 hours with supervised hands-on practice.",
    )
    hands_on = forms.TypedChoiceField(
        label="Did the training include supervised hands-on practice?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    reference = forms.CharField(
        label="Reference (optional)",
        max_length=300,
        required=False,
        help_text="For example the registry entry or the name of the person at the issuer you spoke to.",
    )
    name_matches = forms.BooleanField(
        label="The name at the source matches the name on the profile.",
        error_messages={"required": "Confirm that the name at the source matches the profile."},
    )
    note_to_therapist = forms.CharField(
        label="Message to the therapist (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The therapist sees this in the email and on their dashboard.",
    )
    internal_note = forms.CharField(
        label="Internal note (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only reviewers see this.",
    )


class RejectForm(DecisionForm):
    note_to_therapist = forms.CharField(
        label="Message to the therapist",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            "Say what is wrong and what would fix it. The therapist sees this in the email and on their dashboard."
        ),
        error_messages={"required": "Write a message to the therapist saying why."},
    )
    internal_note = forms.CharField(
        label="Internal note (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only reviewers see this.",
    )

    def clean_note_to_therapist(self):
        note = self.cleaned_data["note_to_therapist"].strip()
        if not note:
            raise forms.ValidationError("Write a message to the therapist saying why.")
        return note


class ReasonForm(forms.Form):
    """The reason for suspending or reinstating a profile. It is sent to the therapist."""

    reason = forms.CharField(
        label="Reason",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The therapist receives this by email. It is kept in the profile's history.",
        error_messages={"required": "Give a reason."},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Give a reason.")
        return reason


class ProfileSearchForm(forms.Form):
    q = forms.CharField(label="Name or email", required=False, max_length=200)


class RecheckForm(forms.Form):
    """A re-check at the source: how, where, what the register shows, and the result."""

    method = VerifyForm.base_fields["method"]
    source = VerifyForm.base_fields["source"]
    register_status = VerifyForm.base_fields["register_status"]
    disciplinary_action = VerifyForm.base_fields["disciplinary_action"]
    action_decision = VerifyForm.base_fields["action_decision"]
    still_valid = forms.TypedChoiceField(
        label="Result",
        choices=[("yes", "Still valid: it keeps counting"), ("no", "No longer valid: it stops counting now")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the result of the re-check."},
    )
    note = forms.CharField(
        label="Message to the therapist (needed when it is no longer valid)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ResolveConcernForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=Concern.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose an outcome."},
    )
    note = forms.CharField(
        label="Note (kept in the history; the reporter gets the outcome in general words only)",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write a note saying what you found and did."},
    )


class NameDecisionForm(forms.Form):
    accept = forms.TypedChoiceField(
        label="Does the new name match the licence at the source?",
        choices=[("yes", "Yes: use the new name"), ("no", "No: keep the verified name")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the new name matches."},
    )
    note = forms.CharField(
        label="Message to the therapist (needed when the name does not match)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
