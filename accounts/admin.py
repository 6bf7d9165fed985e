from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts import enrolment
from accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "is_staff", "is_superuser", "is_active", "date_joined", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["email"]
    readonly_fields = ["date_joined", "last_login"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["date_joined", "last_login"]}),
    ]
    actions = ["issue_enrolment_link"]

    @admin.action(description="Issue a one-time link to set up an authenticator app (24 hours)")
    def issue_enrolment_link(self, request, queryset):
        if not request.user.is_superuser:
            self.message_user(request, "Only a superuser can issue set-up links.", messages.ERROR)
            return
        for user in queryset:
            url = request.build_absolute_uri(enrolment.issue_link(user=user, issued_by=request.user))
            self.message_user(
                request,
                f"Send this link to {user.email}; it works once, for 24 hours, signed in as them: {url}",
                messages.SUCCESS,
            )

    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]
