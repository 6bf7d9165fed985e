"""The Django admin for superusers.

Review decisions and suspensions are made on the review pages, which record
them as verification events; here those fields are read-only. Events and
sent reminders cannot be added, changed or deleted. Evidence lives in private
storage with no public address: the admin links to the authorised evidence
view instead.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from directory import services
from directory.models import (
    CancerType,
    CareSetting,
    Concern,
    Credential,
    CredentialReminder,
    Enquiry,
    Language,
    Location,
    Phase,
    Profile,
    Service,
    VerificationEvent,
    lock_profiles,
)
from directory.review.views import evidence_url
from directory.search.words import refresh_search_text


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable, never added, changed or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Vocabularies: edited by administrators


class VocabularyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["position", "name"]

    # Deleting an entry unlinks it from profiles: through the service, so their listing follows.
    def delete_model(self, request, obj):
        services.delete_vocabulary_entries(type(obj).objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.delete_vocabulary_entries(queryset)


@admin.register(Service)
class ServiceAdmin(VocabularyAdmin):
    list_display = ["name", "slug", "position", "description"]

    def save_model(self, request, obj, form, change):
        renamed = change and "name" in form.changed_data
        if renamed:
            # Service names are part of each profile's search text, rewritten below. Their rows
            # are locked before the save raises the search edition: profile rows first, the
            # edition row last, as every writer takes them (models.lock_profiles).
            lock_profiles(Profile.services.through.objects.filter(service=obj).values("profile_id"))
        super().save_model(request, obj, form, change)
        if renamed:
            for profile in obj.profiles.prefetch_related("services"):
                refresh_search_text(profile)


admin.site.register(Phase, VocabularyAdmin)
admin.site.register(CareSetting, VocabularyAdmin)
admin.site.register(CancerType, VocabularyAdmin)


@admin.register(Language)
class LanguageAdmin(VocabularyAdmin):
    list_display = ["name", "code", "slug", "position"]
    search_fields = ["name", "code"]


# --- Profiles, locations, credentials


def evidence_link(credential: Credential) -> str:
    if not credential.evidence:
        return "No document"
    kind = credential.evidence_content_type or "file"
    return format_html('<a href="{}">Open evidence</a> ({})', evidence_url(credential), kind)


def review_link(credential: Credential) -> str:
    if credential.pk is None:
        return "-"
    return format_html('<a href="{}">Review page</a>', reverse("review_credential", args=[credential.pk]))


CREDENTIAL_DECISION_FIELDS = [
    "status",
    "reviewed_by",
    "reviewed_at",
    "verified_on",
    "method",
    "reference",
    "name_matches",
    "note_to_therapist",
    "internal_note",
    "withdrawn_at",
]


class LocationInline(admin.StackedInline):
    model = Location
    extra = 0


class CredentialInline(admin.TabularInline):
    """Credentials are the therapist's to change and the reviewers' to decide: shown, not edited."""

    model = Credential
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["kind", "issuer", "identifier", "jurisdiction", "expires_on", "status", "evidence_shown", "review"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="Evidence")
    def evidence_shown(self, credential):
        return evidence_link(credential)

    @admin.display(description="Review")
    def review(self, credential):
        return review_link(credential)


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user", "submitted_at", "suspended_at", "accepting_new_clients", "updated_at"]
    list_filter = [
        ("submitted_at", admin.EmptyFieldListFilter),
        ("suspended_at", admin.EmptyFieldListFilter),
        "accepting_new_clients",
        "visits_home",
        "services",
    ]
    search_fields = ["display_name", "slug", "user__email", "headline"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["languages", "care_settings", "phases", "cancer_types", "services"]
    readonly_fields = ["submitted_at", "suspended_at", "suspension_reason", "created_at", "updated_at"]
    inlines = [LocationInline, CredentialInline]
    date_hierarchy = "created_at"

    def save_model(self, request, obj, form, change):
        # Through the service, so a new name sends verified credentials back to review.
        services.save_profile(profile=obj, actor=request.user, changed_fields=form.changed_data if change else [])

    def save_related(self, request, form, formsets, change):
        # The links and locations are saved after the profile: then the listing and search follow.
        super().save_related(request, form, formsets, change)
        refresh_search_text(form.instance)
        services.listing_changed(form.instance)

    def delete_model(self, request, obj):
        services.delete_profiles(Profile.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.delete_profiles(queryset)


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "profile", "country", "show_street_address", "travel_radius_miles"]
    list_filter = ["country", "show_street_address"]
    search_fields = ["city", "postcode", "region", "profile__display_name"]
    list_select_related = ["profile"]
    autocomplete_fields = ["profile"]

    def save_model(self, request, obj, form, change):
        services.save_location(location=obj)

    def delete_model(self, request, obj):
        services.remove_locations(Location.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.remove_locations(queryset)


@admin.register(Credential)
class CredentialAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "profile", "kind", "jurisdiction", "status", "expires_on", "verified_on", "created_at"]
    list_filter = ["status", "kind", "method", "created_at", "expires_on"]
    search_fields = ["issuer", "identifier", "jurisdiction", "profile__display_name", "profile__user__email"]
    list_select_related = ["profile"]
    exclude = ["evidence"]
    readonly_fields = ["evidence_shown", "review"]
    date_hierarchy = "created_at"

    @admin.display(description="Evidence")
    def evidence_shown(self, credential):
        return evidence_link(credential)

    @admin.display(description="Review")
    def review(self, credential):
        return review_link(credential)


@admin.register(VerificationEvent)
class VerificationEventAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "action",
        "profile",
        "profile_label",
        "credential",
        "credential_label",
        "actor",
        "short_note",
    ]
    list_filter = ["action", "created_at"]
    search_fields = ["profile__display_name", "actor__email", "note"]
    list_select_related = ["profile", "credential", "actor"]
    date_hierarchy = "created_at"

    @admin.display(description="Note")
    def short_note(self, event):
        return event.note if len(event.note) <= 80 else event.note[:79] + "…"


@admin.register(CredentialReminder)
class CredentialReminderAdmin(ReadOnlyAdmin):
    list_display = ["sent_at", "kind", "credential", "expires_on"]
    list_filter = ["kind", "sent_at"]
    search_fields = ["credential__profile__display_name", "credential__issuer"]
    list_select_related = ["credential"]


@admin.register(Enquiry)
class EnquiryAdmin(ReadOnlyAdmin):
    """Enquiries can hold health details: the list shows no message text, and nobody edits them here."""

    list_display = ["created_at", "profile", "read_at", "notified_at"]
    list_filter = ["created_at", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["profile__display_name"]
    list_select_related = ["profile"]
    date_hierarchy = "created_at"

    def has_delete_permission(self, request, obj=None):
        # Removing an enquiry on request (or before the retention period ends) is allowed.
        return request.user.is_superuser


@admin.register(Concern)
class ConcernAdmin(ReadOnlyAdmin):
    """Concerns are read and resolved on the review pages; the list shows no report text."""

    list_display = ["created_at", "profile", "reason", "outcome", "resolved_at"]
    list_filter = ["reason", "outcome", "created_at"]
    search_fields = ["profile__display_name"]
    list_select_related = ["profile"]
    exclude = ["details", "email"]
    date_hierarchy = "created_at"
