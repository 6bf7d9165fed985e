from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from allauth.mfa.signals import authenticator_added

        from accounts.enrolment import end_allowance

        def _enrolled(sender, request=None, **kwargs):
            # An enrolment link opens the set-up of one factor, not a session-long licence.
            end_allowance(request)

        authenticator_added.connect(_enrolled, dispatch_uid="accounts_end_enrolment_allowance", weak=False)
