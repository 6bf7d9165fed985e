"""The therapist's forms: profile, practice locations and credentials."""

from django import forms
from django.core.exceptions import ValidationError

from directory import jurisdictions
from directory.models import CancerType, CareSetting, Credential, Language, Location, Phase, Profile, Service
from directory.uploads import check_evidence, reencode_photo
from directory.versions import VersionedFormMixin

CURRENCIES = [("USD", "US dollars"), ("CAD", "Canadian dollars"), ("GBP", "Pounds sterling"), ("EUR", "Euros")]

# Plain error messages, in place of Django's defaults ("Ensure this value has at most…").
# Each form field gets the messages of the first type it is an instance of; a form may
# still set a field's own message afterwards ("Enter your name as it appears…").
_COMMON_MESSAGES = {
    "required": "Please fill this in.",
    "max_length": "Please keep this under %(limit_value)d characters (you typed %(show_value)d).",
    "min_length": "Please use at least %(limit_value)d characters (you typed %(show_value)d).",
    "max_value": "Please enter %(limit_value)s or less.",
    "min_value": "Please enter %(limit_value)s or more.",
    "invalid_choice": "Please choose one of the options listed.",
}
_MESSAGES_BY_TYPE = (
    (
        forms.FileField,
        {
            "required": "Please choose a file.",
            "invalid": "This is not a file we can read. Please choose the file again.",
            "missing": "No file arrived. Please choose the file again.",
            "empty": "This file is empty. Please choose the file again.",
            "max_length": "Please rename the file to under %(max)d characters (its name has %(length)d).",
            "contradiction": "Please either choose a new file or tick “Clear”, not both.",
        },
    ),
    (
        forms.ModelMultipleChoiceField,
        {
            "required": "Please choose at least one.",
            "invalid_list": "Please choose from the options listed.",
            "invalid_pk_value": "Please choose from the options listed.",
        },
    ),
    (forms.ChoiceField, {"required": "Please choose one."}),
    (forms.URLField, {"invalid": "Please enter a web address, such as https://example.com."}),
    (forms.IntegerField, {"invalid": "Please enter a whole number, such as 12."}),
    (forms.FloatField, {"invalid": "Please enter a number, such as 40.7484."}),
    (forms.DateField, {"invalid": "Please enter a date, such as 2024-03-01."}),
)


def plain_error_messages(field: forms.Field) -> dict[str, str]:
    """The plain messages for one form field."""
    messages = dict(_COMMON_MESSAGES)
    for field_type, overrides in _MESSAGES_BY_TYPE:
        if isinstance(field, field_type):
            if field_type is forms.FileField:
                messages.pop("max_length")
            messages.update(overrides)
            break
    return messages


class PlainErrorsMixin:
    """Gives every field of the form the plain error messages above."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages.update(plain_error_messages(field))


def _checkboxes(queryset, label: str, help_text: str = "") -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        queryset=queryset, required=False, label=label, help_text=help_text, widget=forms.CheckboxSelectMultiple
    )


class ProfileForm(VersionedFormMixin, PlainErrorsMixin, forms.ModelForm):
    languages = forms.ModelMultipleChoiceField(
        queryset=Language.objects.all(),
        label="Languages you work in",
        help_text="Choose at least one. Patients can search for a therapist who speaks their language.",
        widget=forms.CheckboxSelectMultiple,
    )
    services = _checkboxes(Service.objects.all(), "Services you offer", "Choose at least one.")
    phases = _checkboxes(Phase.objects.all(), "Treatment phases you work with")
    care_settings = _checkboxes(CareSetting.objects.all(), "Settings you have worked in")
    cancer_types = _checkboxes(CancerType.objects.all(), "Cancer types you have experience with")
    photo = forms.FileField(
        required=False,
        label="Photo",
        help_text="Optional. JPEG, PNG or WebP, up to 10 MB. We resize it and remove hidden details such as location.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    fee_currency = forms.ChoiceField(choices=CURRENCIES, label="Currency")
    website = forms.URLField(
        required=False, assume_scheme="https", label="Website (optional)", help_text="Starting with https://",
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
    )  # fmt: skip

    # Groups of fields shown together; templates render each group in a fieldset.
    about_fields = ("display_name", "headline", "bio", "photo", "pronouns", "gender")
    experience_fields = ("years_practice", "years_oncology")
    place_fields = ("visits_practice", "visits_home", "visits_hospital")
    fee_fields = ("fee_min", "fee_max", "fee_currency")
    option_fields = ("sliding_scale", "free_sessions", "accessible_premises", "accepting_new_clients")
    contact_fields = ("usual_reply_time", "website", "phone")

    class Meta:
        model = Profile
        fields = [
            "display_name", "headline", "bio", "photo", "pronouns", "gender", "languages",
            "years_practice", "years_oncology", "services", "phases", "care_settings", "cancer_types",
            "visits_practice", "visits_home", "visits_hospital",
            "fee_min", "fee_max", "fee_currency", "sliding_scale", "free_sessions", "accessible_premises",
            "accepting_new_clients", "usual_reply_time", "website", "phone",
        ]  # fmt: skip
        labels = {
            "display_name": "Your name",
            "headline": "Headline",
            "bio": "About your work",
            "gender": "Gender",
            "years_practice": "Years in massage practice",
            "years_oncology": "Years working with people with cancer",
            "visits_practice": "At my practice",
            "visits_home": "Home visits",
            "visits_hospital": "Hospital or hospice visits",
            "fee_min": "Lowest fee per session",
            "fee_max": "Highest fee per session",
            "accepting_new_clients": "I am accepting new clients",
            "phone": "Phone (optional)",
            "usual_reply_time": "How soon you usually answer an enquiry (optional)",
            "website": "Website (optional)",
            "pronouns": "Pronouns (optional)",
        }
        help_texts = {
            "display_name": "As it appears on your licence or registration. Changing it later sends your "
            "verified credentials back for a quick check.",
            "headline": "One line patients see in search results, such as “Gentle oncology massage in Brooklyn”.",
            "bio": "Plain text. How you work, who you see, what a first session is like. No medical claims.",
            "fee_min": "A whole number, without the currency sign.",
            "website": "Starting with https://",
        }
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 8}),
            "years_practice": forms.NumberInput(attrs={"min": 0, "max": 80}),
            "years_oncology": forms.NumberInput(attrs={"min": 0, "max": 80}),
            "fee_min": forms.NumberInput(attrs={"min": 0}),
            "fee_max": forms.NumberInput(attrs={"min": 0}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "website": forms.URLInput(attrs={"autocomplete": "url"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["display_name"].widget.attrs["autocomplete"] = "name"
        self.fields["display_name"].error_messages["required"] = "Enter your name as it appears on your licence."
        self.fields["gender"].help_text = "Optional. Used only as a search filter for patients who ask for it."
        self.fields["gender"].choices = [("", "Prefer not to say"), *Profile.Gender.choices]
        self.fields["languages"].error_messages["required"] = "Choose at least one language you work in."

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if "photo" in self.files and photo:
            return reencode_photo(photo)
        return photo

    def clean(self):
        cleaned = super().clean()
        fee_min, fee_max = cleaned.get("fee_min"), cleaned.get("fee_max")
        if fee_min is not None and fee_max is not None and fee_min > fee_max:
            self.add_error("fee_max", "The highest fee must be at least the lowest fee.")
        years_practice, years_oncology = cleaned.get("years_practice"), cleaned.get("years_oncology")
        if years_practice is not None and years_oncology is not None and years_oncology > years_practice:
            self.add_error(
                "years_oncology", "Years with people with cancer cannot be more than your years in massage practice."
            )
        return cleaned

    # Bound fields by group, for the template.

    @property
    def vocabulary_fields(self):
        return [self[name] for name in ("services", "phases", "care_settings", "cancer_types", "languages")]

    @property
    def about_fields_bound(self):
        return [self[name] for name in self.about_fields]

    @property
    def experience_fields_bound(self):
        return [self[name] for name in self.experience_fields]

    @property
    def place_fields_bound(self):
        return [self[name] for name in self.place_fields]

    @property
    def fee_fields_bound(self):
        return [self[name] for name in self.fee_fields]

    @property
    def option_fields_bound(self):
        return [self[name] for name in self.option_fields]

    @property
    def contact_fields_bound(self):
        return [self[name] for name in self.contact_fields]


class LocationForm(VersionedFormMixin, PlainErrorsMixin, forms.ModelForm):
    """A practice location. Coordinates come from the geocoder, confirmed by the therapist,
    or typed by hand in the advanced part of the form."""

    manual_latitude = forms.FloatField(
        required=False, min_value=-90, max_value=90, label="Latitude",
        help_text="For example 40.7484. Leave empty to use the place above.",
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )  # fmt: skip
    manual_longitude = forms.FloatField(
        required=False, min_value=-180, max_value=180, label="Longitude",
        help_text="For example -73.9967 (west of Greenwich is negative).",
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )  # fmt: skip
    # Carried between the "where is this?" and "save" steps.
    latitude = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    longitude = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    placed_for = forms.CharField(required=False, widget=forms.HiddenInput)
    # The index of the place picked from a "Did you mean…" list; the page renders those radios itself.
    place = forms.CharField(required=False, max_length=3, widget=forms.HiddenInput)

    address_fields = ("address_line", "city", "region", "postcode", "country")

    class Meta:
        model = Location
        fields = [
            "address_line", "city", "region", "postcode", "country", "show_street_address", "travel_radius_miles",
        ]  # fmt: skip
        labels = {
            "address_line": "Street address (optional)",
            "city": "Town or city",
            "region": "State, county or province",
            "postcode": "ZIP or postcode",
            "country": "Country",
            "show_street_address": "Show my street address to patients",
            "travel_radius_miles": "Home visits: how far you travel, in miles",
        }
        help_texts = {
            "city": "For a US location, the ZIP code alone is enough.",
            "country": "Two letters, such as US, CA or GB.",
            "show_street_address": "Otherwise patients see only the town and postcode, and a map point rounded "
            "to about a kilometre.",
            "travel_radius_miles": "Leave empty if you do not visit homes from here.",
        }
        widgets = {"travel_radius_miles": forms.NumberInput(attrs={"min": 1, "max": 200})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].required = False
        self.fields["travel_radius_miles"].widget.attrs["min"] = 1
        self.fields["country"].widget.attrs.update({"maxlength": 2, "autocomplete": "country", "size": 3})
        self.fields["postcode"].widget.attrs["autocomplete"] = "postal-code"
        self.fields["address_line"].widget.attrs["autocomplete"] = "street-address"
        if self.instance.pk and not self.is_bound:
            self.initial.update(
                latitude=self.instance.latitude,
                longitude=self.instance.longitude,
                placed_for=self.fingerprint_of(
                    {f: getattr(self.instance, f) for f in ("city", "region", "postcode", "country")}
                ),
            )

    @property
    def address_fields_bound(self):
        return [self[name] for name in self.address_fields]

    def clean_country(self):
        country = (self.cleaned_data.get("country") or "").strip().upper()
        if len(country) != 2 or not country.isalpha():
            raise ValidationError("Enter the two-letter country code, such as US, CA or GB.")
        return country

    def clean_postcode(self):
        return " ".join((self.cleaned_data.get("postcode") or "").split()).upper()

    def clean_travel_radius_miles(self):
        radius = self.cleaned_data.get("travel_radius_miles")
        if radius is not None and not 1 <= radius <= 200:
            raise ValidationError("Enter a distance between 1 and 200 miles.")
        return radius

    def clean(self):
        cleaned = super().clean()
        lat, lng = cleaned.get("manual_latitude"), cleaned.get("manual_longitude")
        coordinate_errors = self.has_error("manual_latitude") or self.has_error("manual_longitude")
        if (lat is None) != (lng is None) and not coordinate_errors:
            self.add_error("manual_latitude", "Enter both latitude and longitude, or neither.")
        no_place = not (cleaned.get("city") or cleaned.get("postcode"))
        place_errors = self.has_error("city") or self.has_error("postcode")
        if lat is None and lng is None and not coordinate_errors and no_place and not place_errors:
            self.add_error("city", "Enter a town or city, or a ZIP or postcode.")
        return cleaned

    # The place, as the geocoder reads it.

    @staticmethod
    def fingerprint_of(values) -> str:
        parts = [str(values.get(f) or "").strip().lower() for f in ("city", "region", "postcode", "country")]
        for f in ("manual_latitude", "manual_longitude"):
            if values.get(f) is not None:
                parts.append(f"{values[f]:.6f}")
        return "|".join(parts)

    def fingerprint(self) -> str:
        return self.fingerprint_of(self.cleaned_data)

    def geocode_query(self) -> str:
        """What the geocoder is asked: a US ZIP code alone, or "town, region, country".

        The country narrows a shared name ("Albany, US" is not Albany, Australia). A place the
        therapist qualified with a comma themselves ("Leeds, UK") is asked as typed, so the
        country field, which starts as US, cannot override it.
        """
        data = self.cleaned_data
        postcode, country = data.get("postcode", ""), data.get("country", "")
        if country == "US" and postcode and postcode[:5].isdigit():
            return postcode[:5]
        parts = [part for part in (data.get("city", "").strip(), data.get("region", "").strip()) if part]
        if parts and country and not any("," in part for part in parts):
            parts.append(country)
        return ", ".join(parts)

    def has_manual_coordinates(self) -> bool:
        return self.cleaned_data.get("manual_latitude") is not None

    def is_placed(self) -> bool:
        """Coordinates from an earlier step still belong to the address typed now."""
        data = self.cleaned_data
        return (
            data.get("latitude") is not None
            and data.get("longitude") is not None
            and data.get("placed_for") == self.fingerprint()
        )


class CredentialForm(VersionedFormMixin, PlainErrorsMixin, forms.ModelForm):
    """A credential and its evidence document. A new credential needs a document; on an
    edit the stored one stays unless a new file is chosen. (Older rows without one can be
    edited without adding one; the dashboard asks for it.)"""

    evidence = forms.FileField(
        label="Evidence document",
        help_text="A PDF, JPEG or PNG, up to 10 MB: your licence, certificate or policy. Only you and our "
        "reviewers can open it.",
        widget=forms.FileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )

    class Meta:
        model = Credential
        fields = [
            "kind", "issuer", "identifier", "jurisdiction", "issued_on", "expires_on", "training_hours", "hands_on",
            "evidence",
        ]  # fmt: skip
        labels = {
            "kind": "What is it?",
            "issuer": "Issued by",
            "identifier": "Licence or certificate number",
            "jurisdiction": "Jurisdiction",
            "issued_on": "Issued on",
            "expires_on": "Expires on",
            "training_hours": "Training hours",
            "hands_on": "Did the training include supervised hands-on practice?",
        }
        help_texts = {
            "issuer": "A state board, a school, an insurer.",
            "identifier": "Required for a licence.",
            "jurisdiction": "Where it applies, such as New York, Ontario or England. Required for a licence or a "
            "statement that massage is not regulated.",
            "expires_on": "Required for a licence and for insurance.",
            "training_hours": "For training and certifications. Oncology training lists you when it has at least "
            "24 hours including supervised hands-on practice.",
            "hands_on": "For oncology training. Webinar- or textbook-only courses are shown but do not list you.",
        }
        widgets = {
            "kind": forms.RadioSelect,
            "issued_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "expires_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "training_hours": forms.NumberInput(attrs={"min": 1, "max": 5000}),
            "hands_on": forms.RadioSelect(choices=[(True, "Yes"), (False, "No")]),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Credential.Kind.choices
        self.fields["kind"].error_messages["required"] = "Choose what kind of credential this is."
        self.fields["issuer"].error_messages["required"] = "Enter who issued it, such as a state board or a school."
        evidence = self.fields["evidence"]
        evidence.error_messages["required"] = (
            "Choose your document: a PDF, JPEG or PNG of your licence, certificate or policy. "
            "Our reviewers cannot check a credential without it."
        )
        evidence.required = not self.instance.pk
        if self.has_document_on_file:
            evidence.label = "Replace the document (optional)"
            evidence.help_text = (
                "Choose a new file only to replace the one on file: a PDF, JPEG or PNG, up to 10 MB. "
                "Only you and our reviewers can open it."
            )
            evidence.widget.attrs["aria-describedby"] = "id_evidence_onfile id_evidence_helptext"
        self.evidence_content_type = None

    @property
    def has_document_on_file(self) -> bool:
        return bool(self.instance.pk and self.instance.evidence)

    @property
    def file_was_dropped(self) -> bool:
        """A file was chosen but the form has other errors: the file is not kept, so it must be chosen again."""
        chosen = self.files.get("evidence") if self.is_bound else None
        return bool(chosen) and bool(self.errors) and not self.has_error("evidence")

    def clean_evidence(self):
        evidence = self.cleaned_data.get("evidence")
        if "evidence" in self.files and evidence:
            self.evidence_content_type = check_evidence(evidence)
        return evidence

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        issued_on, expires_on = cleaned.get("issued_on"), cleaned.get("expires_on")
        if issued_on and expires_on and expires_on <= issued_on:
            self.add_error("expires_on", "The expiry date must be after the issue date.")
        if kind in Credential.EXPIRING_KINDS and not expires_on and not self.has_error("expires_on"):
            self.add_error("expires_on", "Enter the expiry date. Licences and insurance always have one.")
        if kind == Credential.Kind.LICENCE and not cleaned.get("identifier", "").strip():
            self.add_error("identifier", "Enter the licence number, so a reviewer can look it up.")
        if kind == Credential.Kind.VOLUNTARY_REGISTER and not cleaned.get("identifier", "").strip():
            self.add_error("identifier", "Enter the registration number, so a reviewer can look it up.")
        needs_place = (*Credential.PRACTISE_KINDS, Credential.Kind.UNREGULATED)
        jurisdiction = cleaned.get("jurisdiction", "").strip()
        if kind in needs_place and not jurisdiction:
            self.add_error("jurisdiction", "Enter where it applies, such as New York, Ontario or England.")
        elif kind in needs_place and jurisdictions.find(jurisdiction) is None:
            self.add_error(
                "jurisdiction",
                f"We do not know “{jurisdiction}”. Enter a US state, a Canadian province, a UK nation, or a "
                "country such as Ireland, Australia or New Zealand.",
            )
        if kind == Credential.Kind.ONCOLOGY_TRAINING and cleaned.get("hands_on") is None:
            self.add_error("hands_on", "Say whether the training included supervised hands-on practice.")
        return cleaned

    def save(self, commit=True):
        credential = super().save(commit=False)
        if self.evidence_content_type:
            credential.evidence_content_type = self.evidence_content_type
        if commit:
            credential.save()
        return credential


class AccountDeleteForm(forms.Form):
    """The password again: deleting an account cannot be undone, so an open, unattended session is not enough."""

    password = forms.CharField(
        label="Your password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password. Type it again to delete your account.")
        return password
