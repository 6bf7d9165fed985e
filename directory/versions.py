"""Edit forms that refuse to overwrite a change made since they were opened.

A therapist with the profile open in two tabs saves one, then the other:
without a check the second silently undoes the first, and both say "saved".
An edit form carries, in a hidden field, a short fingerprint of each field's
value as it was when the form was opened. On save the fingerprints are
compared with the values stored now; if any differ, the save is refused
with the other change shown, and the form (still holding what was typed)
carries the new fingerprints, so saving again keeps this tab's version.
"""

import hashlib
import json

from django import forms
from django.db.models import Model
from django.utils.text import Truncator

VERSION_FIELD = "version"


def _value_text(value) -> str:
    if isinstance(value, list | tuple | set):
        return ", ".join(sorted(_value_text(item) for item in value))
    if isinstance(value, Model):
        return str(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return ""
    name = getattr(value, "name", None)  # a stored file
    return str(name if name is not None else value)


def current_values(form: forms.ModelForm) -> dict[str, str]:
    """The stored value of each of the form's model fields, as text."""
    instance = form.instance
    values = {}
    for field in instance._meta.get_fields():
        if field.name not in form.fields or not getattr(field, "concrete", False):
            continue
        if field.many_to_many:
            values[field.name] = _value_text(list(getattr(instance, field.name).all()))
        else:
            values[field.name] = _value_text(field.value_from_object(instance))
    return values


def fingerprints(values: dict[str, str]) -> str:
    return json.dumps(
        {name: hashlib.sha256(text.encode()).hexdigest()[:12] for name, text in sorted(values.items())},
        separators=(",", ":"),
    )


class VersionedFormMixin:
    """For ModelForms that edit a saved object: a stale save is refused ("changed in another tab")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self._stored = current_values(self)
            self.fields[VERSION_FIELD] = forms.CharField(
                required=False, widget=forms.HiddenInput, initial=fingerprints(self._stored)
            )

    def clean(self):
        cleaned = super().clean()
        posted = self.data.get(VERSION_FIELD)
        if self.instance.pk is None or posted is None:
            return cleaned  # a new object, or a client that does not take part (the form always does)
        try:
            opened = json.loads(posted)
        except ValueError:
            opened = {}
        now = json.loads(self.fields[VERSION_FIELD].initial)
        changed = [name for name, fingerprint in now.items() if opened.get(name) != fingerprint]
        if changed:
            self.data = self.data.copy()
            self.data[VERSION_FIELD] = self.fields[VERSION_FIELD].initial
            raise forms.ValidationError(self._stale_message(changed), code="stale")
        return cleaned

    def _stale_message(self, changed: list[str]) -> str:
        shown = []
        for name in changed:
            text = self._stored[name]
            value = f"“{Truncator(text).chars(80)}”" if text else "empty"
            shown.append(f"{self.fields[name].label or name} is now {value}")
        return (
            "This was changed in another tab (or window) after you opened this page: "
            + "; ".join(shown)
            + ". Nothing was saved. Your changes are still below: check them, then save again to keep them."
        )
