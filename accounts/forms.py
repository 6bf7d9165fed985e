from allauth.account.adapter import get_adapter
from allauth.account.forms import SignupForm as AllauthSignupForm
from django.db import IntegrityError, transaction


class SignupForm(AllauthSignupForm):
    def try_save(self, request):
        """Save the new account; the same form sent twice at once gets the normal "check your email" page.

        Both requests of a double-click pass the form's "already registered"
        check; the second then meets the unique email in the database. Its
        insert is rolled back and it is answered as allauth answers any known
        address, without an error page (the first request sent the email).
        """
        try:
            with transaction.atomic():
                return super().try_save(request)
        except IntegrityError:
            return None, get_adapter().respond_email_verification_sent(request, None)
