from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from directory.permissions import is_reviewer


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request) -> str:
        """Reviewers start at the review queue; therapists at their dashboard.

        A ``next`` address, when there is one, still wins: allauth checks it first.
        """
        if is_reviewer(request.user):
            return reverse("review_queue")
        return super().get_login_redirect_url(request)
