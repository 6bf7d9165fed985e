"""Guides: short, sourced pages patients read beside the search results.

The Markdown files in guides/content/ are the one source of truth; these rows
are a cache of them that `load_guides` keeps in step, so the search page can
pick guides by service and phase with one query.
"""

from collections.abc import Iterable
from urllib.parse import urlencode

from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.functional import cached_property
from django.utils.safestring import SafeString

from guides.markdown import html_to_text, render_markdown

# The search page's stable public address (PRODUCT.md); used if the URL name
# is not registered, so a guide never fails to render over a missing route.
THERAPIST_SEARCH_PATH = "/therapists/"


def therapist_search_path() -> str:
    try:
        return reverse("therapist_search")
    except NoReverseMatch:
        return THERAPIST_SEARCH_PATH


class GuideQuerySet(models.QuerySet):
    def for_search(self, service_slugs: Iterable[str], phase_slugs: Iterable[str]) -> "GuideQuerySet":
        """Guides for a search: those related to any given service or phase, plus always-shown ones.

        One query: the relations are tested with subqueries rather than joins,
        so no guide is repeated and no DISTINCT is needed.
        """
        service_slugs, phase_slugs = list(service_slugs), list(phase_slugs)
        wanted = models.Q(always_show=True)
        if service_slugs:
            wanted |= models.Q(
                pk__in=Guide.services.through.objects.filter(service__slug__in=service_slugs).values("guide_id")
            )
        if phase_slugs:
            wanted |= models.Q(
                pk__in=Guide.phases.through.objects.filter(phase__slug__in=phase_slugs).values("guide_id")
            )
        return self.filter(wanted).order_by("position", "title")

    def unrelated(self) -> "GuideQuerySet":
        """Guides tied to no service or phase: the practical ones (safety, verification, questions)."""
        return self.filter(services__isnull=True, phases__isnull=True)


class Guide(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    summary = models.TextField(help_text="One paragraph, shown first and in the search panel.")
    body = models.TextField(help_text="Markdown source; sanitised when rendered.")
    key_points = models.JSONField(default=list, blank=True, help_text="A list of short sentences.")
    sources = models.JSONField(default=list, blank=True, help_text='A list of {"title": …, "url": …}.')
    last_reviewed = models.DateField()
    services = models.ManyToManyField("directory.Service", blank=True, related_name="guides")
    phases = models.ManyToManyField("directory.Phase", blank=True, related_name="guides")
    always_show = models.BooleanField(
        default=False, help_text="Shown beside every search, whatever the filters (the safety guide)."
    )
    position = models.PositiveSmallIntegerField(default=100, help_text="Lower comes first.")
    search_cta_label = models.CharField(max_length=200, help_text="Text of the link to a matching search.")
    search_reason = models.CharField(
        max_length=200,
        blank=True,
        help_text="One line beside the search results saying why the guide is worth reading there.",
    )

    objects = GuideQuerySet.as_manager()

    class Meta:
        ordering = ["position", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("guide_detail", kwargs={"slug": self.slug})

    @cached_property
    def rendered_body(self) -> SafeString:
        return render_markdown(self.body)

    def body_text(self) -> str:
        """The body as a reader sees it: no tags, no link addresses (what the reading-level check scores)."""
        return html_to_text(self.rendered_body)

    def search_url(self, near: str = "", radius: str = "") -> str:
        """A search for therapists matching this guide, near a place when one is given.

        Values of one parameter are alternatives but different parameters must
        all hold, so adding phases to services would hide therapists who offer
        the service without ticking that phase. Services alone, then; phases
        only when the guide has no service. ``near`` and ``radius`` must
        already be checked by the caller (the guide page does).
        """
        service_slugs = list(self.services.order_by("pk").values_list("slug", flat=True))
        params: list[tuple[str, str]] = [("near", near)] if near else []
        if near and radius:
            params.append(("radius", radius))
        if service_slugs:
            params += [("service", slug) for slug in service_slugs]
        else:
            params += [("phase", slug) for slug in self.phases.order_by("pk").values_list("slug", flat=True)]
        path = therapist_search_path()
        return f"{path}?{urlencode(params)}" if params else path

    def related_guides(self, limit: int = 3) -> list["Guide"]:
        """Guides to read next: those sharing a service or phase, else the other practical guides."""
        service_slugs = list(self.services.values_list("slug", flat=True))
        phase_slugs = list(self.phases.values_list("slug", flat=True))
        if service_slugs or phase_slugs:
            candidates = Guide.objects.for_search(service_slugs, phase_slugs)
        else:
            candidates = Guide.objects.unrelated() | Guide.objects.filter(always_show=True)
        return list(candidates.exclude(pk=self.pk).distinct().order_by("position", "title")[:limit])
