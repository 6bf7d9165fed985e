from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from guides.models import Guide

EDITED_IN_REPOSITORY = (
    "Guides are read-only here. They are edited as Markdown files in guides/content/ in the "
    "repository, reviewed like code, and loaded with “python manage.py load_guides”."
)


@admin.register(Guide)
class GuideAdmin(admin.ModelAdmin):
    """Read-only: an edit here would be overwritten by the next load_guides."""

    list_display = ("title", "slug", "last_reviewed")
    search_fields = ("title", "slug")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Guide | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Guide | None = None) -> bool:
        return False

    # Django's admin templates show "subtitle" under the title: the note goes there.
    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        return super().changelist_view(request, {**(extra_context or {}), "subtitle": EDITED_IN_REPOSITORY})

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        return super().change_view(
            request, object_id, form_url, {**(extra_context or {}), "subtitle": EDITED_IN_REPOSITORY}
        )
