"""Guides: loading from Markdown files, pages, sanitising, reading level, search panel, admin."""

import shutil
from datetime import date
from io import StringIO
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import textstat
from django.core.management import call_command
from django.core.management.base import CommandError
from django.template.loader import render_to_string

from guides.loader import CONTENT_DIR
from guides.markdown import render_markdown
from guides.models import Guide
from tests.review_helpers import make_mfa_superuser, sign_in

GUIDE_SLUGS = sorted(path.stem for path in CONTENT_DIR.glob("*.md"))
BENEFIT_SLUGS = ["physical-benefits", "emotional-support", "lymphatic-drainage", "quality-of-life", "reflexology"]
MAX_GRADE = 8.0


def load(path: Path = CONTENT_DIR) -> str:
    out = StringIO()
    call_command("load_guides", path=path, stdout=out)
    return out.getvalue()


@pytest.fixture
def guides(db) -> None:
    load()


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A copy of the guide files that a test may edit."""
    return Path(shutil.copytree(CONTENT_DIR, tmp_path / "content"))


# Loading


def test_load_guides_loads_the_eight_guides(db):
    output = load()
    assert Guide.objects.count() == 8
    assert set(Guide.objects.values_list("slug", flat=True)) == {
        "physical-benefits",
        "emotional-support",
        "lymphatic-drainage",
        "quality-of-life",
        "is-massage-safe",
        "how-we-verify",
        "questions-to-ask",
        "reflexology",
    }
    assert output.strip() == "Guides: 8 created, 0 updated, 0 unchanged, 0 deleted."


def test_loading_the_guides_again_changes_nothing(guides):
    before = {guide.slug: (guide.pk, guide.body, guide.sources) for guide in Guide.objects.all()}
    output = load()
    after = {guide.slug: (guide.pk, guide.body, guide.sources) for guide in Guide.objects.all()}
    assert output.strip() == "Guides: 0 created, 0 updated, 8 unchanged, 0 deleted."
    assert after == before


def test_an_edited_file_updates_its_guide_and_a_removed_file_deletes_its_guide(guides, content_copy):
    safety = content_copy / "is-massage-safe.md"
    safety.write_text(safety.read_text().replace("title: Is massage safe for me?", "title: Is it safe?"))
    (content_copy / "questions-to-ask.md").unlink()
    output = load(content_copy)
    assert output.strip() == "Guides: 0 created, 1 updated, 6 unchanged, 1 deleted."
    assert Guide.objects.get(slug="is-massage-safe").title == "Is it safe?"
    assert not Guide.objects.filter(slug="questions-to-ask").exists()


def test_an_unknown_service_slug_stops_the_load_naming_the_file_and_the_slug(guides, content_copy):
    path = content_copy / "lymphatic-drainage.md"
    path.write_text(path.read_text().replace("lymphedema-therapy]", "lymph-magic]"))
    with pytest.raises(CommandError, match=r"lymphatic-drainage\.md.*'lymph-magic'"):
        load(content_copy)


def test_an_unknown_phase_slug_stops_the_load_before_anything_is_written(guides, content_copy):
    (content_copy / "questions-to-ask.md").unlink()
    path = content_copy / "quality-of-life.md"
    path.write_text(path.read_text().replace("end-of-life,", "forever,"))
    with pytest.raises(CommandError, match=r"quality-of-life\.md.*'forever'"):
        load(content_copy)
    assert Guide.objects.filter(slug="questions-to-ask").exists()


def test_a_misspelt_front_matter_key_stops_the_load(guides, content_copy):
    path = content_copy / "emotional-support.md"
    path.write_text(path.read_text().replace("services:", "servies:"))
    with pytest.raises(CommandError, match=r"emotional-support\.md.*servies"):
        load(content_copy)


def test_an_empty_folder_does_not_delete_every_guide(guides, tmp_path):
    with pytest.raises(CommandError, match="No guide files"):
        load(tmp_path)
    assert Guide.objects.count() == 8


# Content rules


@pytest.mark.parametrize("slug", GUIDE_SLUGS)
def test_every_guide_reads_at_us_grade_8_or_below(guides, slug):
    text = Guide.objects.get(slug=slug).body_text()
    grade = textstat.flesch_kincaid_grade(text)
    print(f"{slug}: Flesch-Kincaid grade {grade}")
    assert grade <= MAX_GRADE, f"{slug} reads at grade {grade}; shorten its sentences and words"


def test_reading_level_text_leaves_out_link_addresses(guides):
    text = Guide.objects.get(slug="how-we-verify").body_text()
    assert "Questions to ask a therapist" in text
    assert "/guides/" not in text
    assert "<" not in text


@pytest.mark.parametrize("slug", GUIDE_SLUGS)
def test_every_guide_is_short_with_summary_key_points_sources_and_review_date(guides, slug):
    guide = Guide.objects.get(slug=slug)
    assert 250 <= len(guide.body_text().split()) <= 500
    assert guide.summary
    assert guide.key_points
    assert guide.sources
    assert all(source["url"].startswith("https://") and source["title"] for source in guide.sources)
    assert guide.last_reviewed <= date.today()


def test_the_lymphatic_drainage_guide_makes_no_detox_claim(guides):
    text = Guide.objects.get(slug="lymphatic-drainage").body_text().lower()
    # The only mention of toxins is the sentence saying the claim is not supported.
    assert text.count("toxins") == 1
    assert "these claims are not supported" in text
    assert "immune" not in text


# Sanitising


def test_scripts_event_handlers_and_javascript_links_do_not_survive_rendering():
    html = render_markdown(
        "Hello <script>alert(1)</script>\n\n"
        "<img src=x onerror=alert(2)>\n\n"
        "[click](javascript:alert(3)) and <a href='JavaScript:alert(4)'>this</a>\n\n"
        '<p style="color:red" onclick="alert(5)">styled</p>'
    )
    lowered = html.lower()
    for forbidden in ("<script", "alert(", "<img", "onerror", "javascript:", "style=", "onclick"):
        assert forbidden not in lowered
    assert "Hello" in html and "click" in html


def test_markdown_keeps_its_plain_structure_and_links_get_noopener():
    html = render_markdown("# Big\n\n## Part\n\n- **one**\n- *two*\n\n> quote\n\n[Guide](/guides/x/)")
    assert "<h1" not in html  # the page owns the only h1
    assert "<h2>Part</h2>" in html
    assert "<strong>one</strong>" in html and "<em>two</em>" in html
    assert "<blockquote>" in html
    assert '<a href="/guides/x/" rel="noopener">Guide</a>' in html


# Pages


def test_the_guide_list_shows_every_guide_with_its_summary_and_review_date(client, guides):
    response = client.get("/guides/")
    assert response.status_code == 200
    content = response.content.decode()
    for guide in Guide.objects.all():
        assert guide.title in content
        assert f'href="/guides/{guide.slug}/"' in content
        assert f'<time datetime="{guide.last_reviewed:%Y-%m-%d}">{guide.last_reviewed:%-d %B %Y}</time>' in content
    assert "Last reviewed" in content


def test_a_guide_page_shows_summary_key_points_body_sources_review_date_and_search_link(client, guides):
    guide = Guide.objects.get(slug="lymphatic-drainage")
    response = client.get("/guides/lymphatic-drainage/")
    assert response.status_code == 200
    content = response.content.decode()
    assert content.count("<h1") == 1
    assert "<title>Lymphatic drainage and lymphedema" in content
    summary_at = content.index('class="guide-summary"')
    assert summary_at < content.index("Key points") < content.index("What lymphedema is")
    assert content.index("What lymphedema is") < content.index("Sources")
    assert '<a href="https://www.nhs.uk/conditions/lymphoedema/">NHS: Lymphoedema</a>' in content
    assert 'Last reviewed <time datetime="2026-12-05">5 December 2026</time>' in content
    assert f'href="{guide.search_url()}"'.replace("&", "&amp;") in content
    assert "Find therapists who offer manual lymphatic drainage or lymphedema therapy" in content
    assert "Related guides" in content


def test_an_unknown_guide_answers_404(client, guides):
    assert client.get("/guides/massage-cures-cancer/").status_code == 404


def test_guide_pages_refuse_post(client, guides):
    assert client.post("/guides/").status_code == 405


def test_a_guide_search_link_lists_its_services_as_alternatives(guides):
    url = urlsplit(Guide.objects.get(slug="lymphatic-drainage").search_url())
    assert url.path == "/therapists/"
    # Phases would AND-narrow the search, so the link carries services only.
    assert parse_qs(url.query) == {"service": ["manual-lymphatic-drainage", "lymphedema-therapy"]}


def test_a_guide_with_no_service_or_phase_links_to_the_whole_search(guides):
    assert Guide.objects.get(slug="how-we-verify").search_url() == "/therapists/"


def test_the_safety_guide_points_to_the_other_practical_guides(guides):
    related = [guide.slug for guide in Guide.objects.get(slug="is-massage-safe").related_guides()]
    assert related == ["questions-to-ask", "how-we-verify"]


def test_the_guide_panel_lists_each_guide_with_title_summary_and_link(guides):
    panel_guides = list(Guide.objects.for_search(["reflexology"], []))
    html = render_to_string("guides/includes/guide_panel.html", {"guides": panel_guides})
    safety = Guide.objects.get(slug="is-massage-safe")
    assert '<a href="/guides/is-massage-safe/">Is massage safe for me?</a>' in html
    assert safety.summary in html


def test_the_guide_panel_renders_nothing_without_guides():
    assert render_to_string("guides/includes/guide_panel.html", {"guides": []}).strip() == ""


# Picking guides for a search


@pytest.mark.parametrize("slug", BENEFIT_SLUGS)
def test_every_benefit_guide_relates_to_a_service_or_phase(guides, slug):
    guide = Guide.objects.get(slug=slug)
    assert guide.services.exists() or guide.phases.exists()


def slugs_for(service_slugs: list[str], phase_slugs: list[str]) -> list[str]:
    return [guide.slug for guide in Guide.objects.for_search(service_slugs, phase_slugs)]


def test_a_drainage_search_picks_the_lymphatic_drainage_guide(guides):
    assert "lymphatic-drainage" in slugs_for(["manual-lymphatic-drainage"], [])


def test_an_end_of_life_search_picks_the_quality_of_life_guide(guides):
    assert "quality-of-life" in slugs_for([], ["end-of-life"])


def test_every_search_shows_the_safety_guide_first(guides):
    assert slugs_for([], []) == ["is-massage-safe"]
    assert slugs_for(["oncology-massage"], ["end-of-life"])[0] == "is-massage-safe"


def test_a_guide_matching_a_service_and_a_phase_is_listed_once(guides):
    picked = slugs_for(["oncology-massage", "comfort-touch"], ["active-treatment", "end-of-life"])
    assert len(picked) == len(set(picked))
    assert picked == ["is-massage-safe", "quality-of-life", "physical-benefits", "emotional-support"]


@pytest.mark.parametrize(
    "service_slugs, phase_slugs",
    [
        ([], []),
        (["reflexology"], []),
        (["oncology-massage", "comfort-touch", "lymphedema-therapy"], ["end-of-life"]),
    ],
)
def test_picking_guides_costs_one_query_whatever_the_filters(
    guides, django_assert_num_queries, service_slugs, phase_slugs
):
    # One query: guides, with the service and phase matches as subqueries.
    with django_assert_num_queries(1):
        panel_guides = list(Guide.objects.for_search(service_slugs, phase_slugs))
    # Rendering the panel uses only the loaded fields.
    with django_assert_num_queries(0):
        render_to_string("guides/includes/guide_panel.html", {"guides": panel_guides})


# Admin


@pytest.fixture
def superuser_client(db, client):
    superuser, secret = make_mfa_superuser()
    sign_in(client, superuser, secret)
    return client


def test_the_admin_lists_guides_read_only_with_a_note_on_where_they_are_edited(superuser_client, guides):
    response = superuser_client.get("/admin/guides/guide/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Is massage safe for me?" in content
    assert "edited as Markdown files" in content
    assert "/admin/guides/guide/add/" not in content


def test_the_admin_cannot_add_change_or_delete_a_guide(superuser_client, guides):
    guide = Guide.objects.get(slug="is-massage-safe")
    assert superuser_client.get("/admin/guides/guide/add/").status_code == 403
    assert superuser_client.get(f"/admin/guides/guide/{guide.pk}/delete/").status_code == 403
    change_page = superuser_client.get(f"/admin/guides/guide/{guide.pk}/change/")
    assert change_page.status_code == 200
    assert 'name="_save"' not in change_page.content.decode()
    response = superuser_client.post(f"/admin/guides/guide/{guide.pk}/change/", {"title": "Changed"})
    assert response.status_code == 403
    guide.refresh_from_db()
    assert guide.title == "Is massage safe for me?"
