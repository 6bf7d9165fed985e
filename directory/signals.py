"""Keep each profile's stored listing (listing.refresh_listing) in step with
every change to what the rule reads, from any code path: the app, the
admin, the shell."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from directory.listing import copy_to_locations, deferred, refresh_listing
from directory.models import (
    CancerType,
    CareSetting,
    Credential,
    Language,
    Location,
    Phase,
    Profile,
    SearchEdition,
    Service,
    lock_profiles,
)
from directory.search.facets import refresh_facets
from guides.models import Guide


def _refresh(profile_id) -> None:
    if not deferred([profile_id]):
        refresh_listing(Profile.objects.filter(pk=profile_id))


@receiver(post_save, sender=Profile)
def profile_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        _refresh(instance.pk)


@receiver(pre_delete, sender=Credential)
@receiver(pre_delete, sender=Location)
def part_deleting(sender, instance, using, **kwargs):
    # Before the row goes, as models.ProfilePart.save does: also for a QuerySet's
    # delete() and for rows deleted with their profile, which call no delete().
    lock_profiles([instance.profile_id], using)


@receiver([post_save, post_delete], sender=Credential)
@receiver([post_save, post_delete], sender=Location)
def part_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        _refresh(instance.profile_id)


# A profile's services decide whether it is listed; all its vocabulary links are
# stored as bits for the search (directory/search/facets.py). Both are refreshed by
# refresh_listing whenever a link changes, from either side.
VOCABULARIES = (Service, Phase, CareSetting, CancerType, Language)


def _refresh_links(sender, profiles) -> None:
    if deferred(profiles.values_list("pk", flat=True)):
        return
    # Only services count for the listing rule; every link counts for the bits.
    if sender in (Profile.services.through, Service):
        refresh_listing(profiles)
    else:
        with transaction.atomic(using=profiles.db):
            refresh_facets(profiles)
            copy_to_locations(profiles)
            SearchEdition.objects.advance()


def links_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if reverse and action == "pre_clear":
        # entry.profiles.clear() gives no ids afterwards: note whose link goes.
        instance._profiles_before_clear = list(instance.profiles.values_list("pk", flat=True))
        return
    if not action.startswith("post_"):
        return
    if reverse:
        # An entry's profiles changed (from the entry's side).
        if action == "post_clear":
            pk_set = getattr(instance, "_profiles_before_clear", ())
        _refresh_links(sender, Profile.objects.filter(pk__in=pk_set or ()))
    else:
        _refresh_links(sender, Profile.objects.filter(pk=instance.pk))


def entry_deleting(sender, instance, **kwargs):
    # Deleting an entry removes its links without an m2m signal: note whose link goes.
    instance._profiles_before_delete = list(instance.profiles.values_list("pk", flat=True))


def entry_deleted(sender, instance, **kwargs):
    _refresh_links(sender, Profile.objects.filter(pk__in=getattr(instance, "_profiles_before_delete", ())))


for vocabulary in VOCABULARIES:
    name = vocabulary.__name__
    m2m_changed.connect(links_changed, sender=vocabulary.profiles.through, dispatch_uid=f"links-{name}")
    pre_delete.connect(entry_deleting, sender=vocabulary, dispatch_uid=f"entry-deleting-{name}")
    post_delete.connect(entry_deleted, sender=vocabulary, dispatch_uid=f"entry-deleted-{name}")


# Everything a search page or a result card shows: a change to any of it starts
# a new search edition, so no cached page shows the old data. Changes to
# profiles, their locations, credentials and links already do, through
# refresh_listing and _refresh_links above; these are the rest.
SEARCHED_MODELS = (*VOCABULARIES, Guide)
GUIDE_LINKS = (Guide.services.through, Guide.phases.through)


def search_data_changed(sender, raw=False, action="post_", **kwargs):
    if not raw and action.startswith("post_"):
        SearchEdition.objects.advance()


for model in SEARCHED_MODELS:
    post_save.connect(search_data_changed, sender=model, dispatch_uid=f"edition-save-{model.__name__}")
    post_delete.connect(search_data_changed, sender=model, dispatch_uid=f"edition-delete-{model.__name__}")
for link in GUIDE_LINKS:
    m2m_changed.connect(search_data_changed, sender=link, dispatch_uid=f"edition-links-{link.__name__}")
