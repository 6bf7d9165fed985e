"""Forms patients fill in without an account. (The search form is the FilterSet's, in search/filterset.py.)"""

from django import forms

from directory.models import Concern, Enquiry

HONEYPOT_FIELD = "website"


class EnquiryForm(forms.ModelForm):
    """A patient's message to one therapist.

    ``website`` is a trap for robots: people never see it (it is hidden by a
    CSS class and labelled "leave empty"), so anything in it means a robot.
    """

    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    consent = forms.BooleanField(
        label="I agree that the directory passes my message to this therapist.",
        error_messages={"required": "Tick the box to agree that we pass your message on, or we cannot send it."},
    )

    send_copy = forms.BooleanField(
        label="Send me an email receipt (it does not include my message).",
        required=False,
    )

    class Meta:
        model = Enquiry
        fields = ["name", "email", "phone", "message", "consent"]
        labels = {
            "name": "Your name",
            "email": "Your email address",
            "phone": "Your phone number (optional)",
            "message": "Your message",
        }
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
            "message": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            "message": "Write only what the therapist needs to reply, such as the kind of session you are looking for.",
        }
        error_messages = {
            "name": {"required": "Enter your name, so the therapist knows who is writing."},
            "email": {
                "required": "Enter your email address, so the therapist can reply.",
                "invalid": "Enter an email address like name@example.com.",
            },
            "message": {"required": "Write a message to the therapist."},
        }

    def is_spam(self) -> bool:
        return bool(self.data.get(HONEYPOT_FIELD, "").strip())

    def sender_key(self) -> str:
        """The sender's email, normalised, as the key of the per-sender rate limit."""
        return self.cleaned_data["email"].strip().lower()


class ConcernForm(forms.ModelForm):
    """Anyone's concern about a listing. The details go to reviewers only, never into an email."""

    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = Concern
        fields = ["reason", "details", "email"]
        labels = {
            "reason": "What is your concern?",
            "details": "What happened, or what is wrong?",
            "email": "Your email address (optional)",
        }
        widgets = {
            "reason": forms.RadioSelect,
            "details": forms.Textarea(attrs={"rows": 6}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }
        help_texts = {
            "details": "Only our reviewers read this. Please do not include health details you would rather keep "
            "private.",
            "email": "Only if you would like a reply. We will tell you when we have looked into it.",
        }
        error_messages = {
            "reason": {"required": "Choose what your concern is about."},
            "details": {"required": "Tell us what happened or what is wrong, so a reviewer can look into it."},
            "email": {"invalid": "Enter an email address like name@example.com, or leave it empty."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = Concern.Reason.choices

    def is_spam(self) -> bool:
        return bool(self.data.get(HONEYPOT_FIELD, "").strip())
