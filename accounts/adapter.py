from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from directory import mail
from directory.permissions import is_reviewer


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Queue account mail (confirmation, password reset, notices) for the worker (directory/mail.py).

        It is rendered here, where allauth's request and links are at hand,
        and queued as rendered: its one-time links cannot be rebuilt later.
        """
        message = self.render_message(template_prefix, email, context)
        alternatives = getattr(message, "alternatives", [])
        html = next((content for content, mimetype in alternatives if mimetype == "text/html"), "")
        if getattr(message, "content_subtype", "plain") == "html":
            html, body = message.body, ""
        else:
            body = message.body
        mail.queue(
            "account",
            subject=message.subject,
            body=body,
            html=html,
            to=list(message.to),
            from_email=message.from_email,
        )

    def render_message(self, template_prefix: str, email: str, context: dict):
        """What allauth's own ``send_mail`` would send (its context, then ``render_mail``)."""
        from allauth.core import context as allauth_context
        from django.contrib.sites.shortcuts import get_current_site

        request = allauth_context.request
        return self.render_mail(
            template_prefix,
            email,
            {"request": request, "email": email, "current_site": get_current_site(request), **context},
        )

    def get_login_redirect_url(self, request) -> str:
        """Reviewers start at the review queue; therapists at their dashboard.

        A ``next`` address, when there is one, still wins: allauth checks it first.
        """
        if is_reviewer(request.user):
            return reverse("review_queue")
        return super().get_login_redirect_url(request)
