import threading

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_migrate


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = "Directory"

    def ready(self) -> None:
        from directory import signals  # noqa: F401  (connects the receivers)
        from directory.statistics import after_migrate

        post_migrate.connect(after_migrate, sender=self, dispatch_uid="directory-statistics")

        # The offline gazetteer takes seconds to load. A web process loads it
        # at start, in the background, so no patient waits for it on the
        # first search; commands and tests load it only when they need it.
        if settings.GEOCODER_WARM_UP:
            from directory.geo.offline import get_geocoder

            warm_up = getattr(get_geocoder(), "warm_up", None)
            if warm_up is not None:
                threading.Thread(target=warm_up, name="geocoder-warm-up", daemon=True).start()
