"""Keep each profile's stored listing (listing.refresh_listing) in step with
every change to what the rule reads, from any code path: the app, the
admin, the shell."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from directory.listing import refresh_listing
from directory.models import Credential, Location, Profile


def _refresh(profile_id) -> None:
    refresh_listing(Profile.objects.filter(pk=profile_id))


@receiver(post_save, sender=Profile)
def profile_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        _refresh(instance.pk)


@receiver([post_save, post_delete], sender=Credential)
@receiver([post_save, post_delete], sender=Location)
def part_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        _refresh(instance.profile_id)


@receiver(m2m_changed, sender=Profile.services.through)
def services_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if reverse:
        # A service's profiles changed (from the service's side).
        refresh_listing(Profile.objects.filter(pk__in=pk_set or ()))
    else:
        _refresh(instance.pk)
