"""Read logic for profiles, as chainable QuerySet methods."""

from datetime import date

from django.db import models

from directory.listing import listed_q


class ProfileQuerySet(models.QuerySet):
    def listed(self, today: date | None = None) -> "ProfileQuerySet":
        """Profiles patients may see. The one place the listing rule is applied."""
        return self.filter(listed_q(today))
