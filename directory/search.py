"""Free-text search support."""


def build_search_text(profile) -> str:
    """Name, headline, services and bio as one lower-case string."""
    services = " ".join(service.name for service in profile.services.all()) if profile.pk else ""
    parts = [profile.display_name, profile.headline, services, profile.bio]
    return " ".join(part for part in parts if part).lower()


def refresh_search_text(profile) -> None:
    text = build_search_text(profile)
    if text != profile.search_text:
        type(profile).objects.filter(pk=profile.pk).update(search_text=text)
        profile.search_text = text
