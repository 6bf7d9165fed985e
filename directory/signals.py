"""Start a new search edition when a vocabulary or a guide changes, so that no
cached search page (directory/search/cache.py) shows the old names or guides.

Only the cache: what the listing rule and the search derive from profiles is
written by the services (directory/services.py, listing.refresh_listing),
which also raise the edition.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save

from directory.models import CancerType, CareSetting, Language, Phase, SearchEdition, Service
from guides.models import Guide

SEARCHED_MODELS = (Service, Phase, CareSetting, CancerType, Language, Guide)
GUIDE_LINKS = (Guide.services.through, Guide.phases.through)


def search_data_changed(sender, raw=False, action="post_", **kwargs):
    if not raw and action.startswith("post_"):
        SearchEdition.objects.advance()


for model in SEARCHED_MODELS:
    post_save.connect(search_data_changed, sender=model, dispatch_uid=f"edition-save-{model.__name__}")
    post_delete.connect(search_data_changed, sender=model, dispatch_uid=f"edition-delete-{model.__name__}")
for link in GUIDE_LINKS:
    m2m_changed.connect(search_data_changed, sender=link, dispatch_uid=f"edition-links-{link.__name__}")
