from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Demo data and the search benchmark: development tools, not part of the product."""

    name = "devtools"
    verbose_name = "Development tools"
