"""Which guides sit beside the results and a profile, in what order, and why (guides/selection.py)."""

import re

import pytest
from django.core.management import call_command

from guides.selection import Candidate, guides_for_profile, guides_for_search, order_for_profile, order_for_search
from tests.factories import make_reviewer
from tests.search_helpers import listed

SEARCH = "/therapists/"
BENEFIT_SLUGS = {"physical-benefits", "emotional-support", "lymphatic-drainage", "quality-of-life", "reflexology"}


def candidate(slug, position, *, services=(), phases=(), always_show=False):
    """A guide as the choice sees it; names are the slugs in capitals, to tell them apart in reasons."""
    return Candidate(
        guide=slug,
        slug=slug,
        position=position,
        always_show=always_show,
        reason=f"{slug} line",
        services={name: name.replace("-", " ").capitalize() for name in services},
        phases={name: name.replace("-", " ").capitalize() for name in phases},
    )


# Shaped like the guide files: positions, services and phases.
CANDIDATES = [
    candidate("is-massage-safe", 0, always_show=True),
    candidate(
        "quality-of-life",
        10,
        services=("comfort-touch", "oncology-massage"),
        phases=("advanced-cancer", "end-of-life", "survivorship"),
    ),
    candidate(
        "physical-benefits",
        20,
        services=("oncology-massage", "comfort-touch"),
        phases=("active-treatment", "after-surgery", "advanced-cancer", "end-of-life"),
    ),
    candidate(
        "emotional-support",
        30,
        services=("oncology-massage", "comfort-touch"),
        phases=("newly-diagnosed", "active-treatment"),
    ),
    candidate(
        "lymphatic-drainage",
        40,
        services=("manual-lymphatic-drainage", "lymphedema-therapy"),
        phases=("after-surgery", "survivorship"),
    ),
    candidate("reflexology", 45, services=("reflexology",)),
    candidate("questions-to-ask", 50),
    candidate("how-we-verify", 60),
]


def order(services=(), phases=()):
    return [choice.guide for choice in order_for_search(CANDIDATES, service_slugs=services, phase_slugs=phases)]


def test_a_plain_search_shows_the_safety_guide_then_every_benefit_guide():
    assert order() == [
        "is-massage-safe",
        "quality-of-life",
        "physical-benefits",
        "emotional-support",
        "lymphatic-drainage",
        "reflexology",
    ]


def test_a_lymphatic_service_puts_the_lymphatic_guide_first():
    assert order(services=["manual-lymphatic-drainage"])[:2] == ["lymphatic-drainage", "is-massage-safe"]


def test_a_palliative_or_end_of_life_phase_puts_quality_of_life_first_then_the_body_guide():
    for phase in ("advanced-cancer", "end-of-life"):
        assert order(phases=[phase])[:3] == ["quality-of-life", "physical-benefits", "is-massage-safe"]


def test_a_reflexology_service_puts_the_reflexology_guide_first():
    assert order(services=["reflexology"])[0] == "reflexology"


def test_a_service_counts_for_more_than_a_phase():
    assert order(services=["lymphedema-therapy"], phases=["end-of-life"])[:3] == [
        "lymphatic-drainage",
        "quality-of-life",
        "physical-benefits",
    ]


def test_every_search_shows_every_benefit_guide_and_the_safety_guide_once():
    for services, phases in [((), ()), (("oncology-massage",), ("end-of-life", "survivorship")), (("x",), ("y",))]:
        picked = order(services, phases)
        assert sorted(picked) == sorted(BENEFIT_SLUGS | {"is-massage-safe"})


def test_each_guide_says_why_it_is_there():
    choices = order_for_search(CANDIDATES, service_slugs=["reflexology"], phase_slugs=["end-of-life"])
    reasons = {choice.guide: choice.reason for choice in choices}
    assert reasons["reflexology"] == "Because your search includes reflexology."
    assert reasons["quality-of-life"] == "Because your search includes end of life."
    assert reasons["is-massage-safe"] == "is-massage-safe line"
    assert reasons["emotional-support"] == "emotional-support line"


def test_a_guide_matching_several_filters_names_them_all():
    choices = order_for_search(
        CANDIDATES, service_slugs=["comfort-touch", "oncology-massage"], phase_slugs=["survivorship"]
    )
    assert choices[0].guide == "quality-of-life"
    assert choices[0].reason == "Because your search includes comfort touch, oncology massage and survivorship."


def test_a_profile_shows_the_safety_guide_the_questions_and_the_guides_for_its_services():
    choices = order_for_profile(CANDIDATES, service_slugs=["reflexology", "manual-lymphatic-drainage"])
    assert [choice.guide for choice in choices] == [
        "is-massage-safe",
        "questions-to-ask",
        "lymphatic-drainage",
        "reflexology",
    ]
    assert choices[2].reason == "This therapist offers manual lymphatic drainage."


# From the database


@pytest.fixture
def guides(db):
    call_command("load_guides", verbosity=0)


@pytest.fixture
def reviewer(db):
    return make_reviewer()


def test_the_guides_for_a_search_come_from_the_database_in_two_queries(guides, django_assert_num_queries):
    # 1 the guides (no bodies); 2 their services and phases with names (one UNION).
    with django_assert_num_queries(2):
        choices = guides_for_search(service_slugs=["manual-lymphatic-drainage"], phase_slugs=["end-of-life"])
    assert [choice.slug for choice in choices][:4] == [
        "lymphatic-drainage",
        "quality-of-life",
        "physical-benefits",
        "is-massage-safe",
    ]
    assert choices[0].reason == "Because your search includes manual lymphatic drainage."
    assert choices[1].reason == "Because your search includes end of life."


def test_every_guide_file_beside_the_results_has_its_own_line(guides):
    choices = guides_for_search(service_slugs=[], phase_slugs=[])
    assert {choice.slug for choice in choices} == BENEFIT_SLUGS | {"is-massage-safe"}
    assert all(choice.reason and len(choice.reason) <= 120 for choice in choices)


def test_the_profile_guides_include_the_questions_to_ask(guides):
    slugs = [choice.slug for choice in guides_for_profile(service_slugs=["oncology-massage"])]
    assert slugs[:2] == ["is-massage-safe", "questions-to-ask"]
    assert {"quality-of-life", "physical-benefits", "emotional-support"} <= set(slugs)


# On the pages


def benefit_links(html: str) -> set[str]:
    return set(re.findall(r'href="/guides/([a-z-]+)/', html)) & BENEFIT_SLUGS


def test_a_plain_zip_search_links_at_least_three_benefit_guides(client, guides, reviewer):
    listed(reviewer=reviewer)
    html = client.get(SEARCH, {"near": "10001"}).content.decode()
    assert len(benefit_links(html.split('class="guide-panel"')[1])) >= 3
    assert "Because your search includes" not in html
    assert "For swelling after surgery or radiation" in html


def test_the_phone_strip_sits_after_the_first_results_and_the_panel_after_the_list(client, guides, reviewer):
    for n in range(5):
        listed(display_name=f"Strip Therapist {n}", reviewer=reviewer)
    html = client.get(SEARCH, {"near": "10001"}).content.decode()
    strip_at = html.index('<nav class="guide-jump"')
    cards = [match.start() for match in re.finditer(r'class="result card', html)]
    assert cards[2] < strip_at < cards[3]
    strip = html[strip_at : html.index("</nav>", strip_at)]
    assert "Read before you book" in strip
    assert len(re.findall(r'href="/guides/', strip)) == 4  # a short strip: the first four guides
    assert 'href="#guide-panel-heading">More guides after the results' in strip
    assert html.index('class="guide-panel"') > cards[-1]


def test_with_one_result_the_strip_follows_it(client, guides, reviewer):
    listed(reviewer=reviewer)
    html = client.get(SEARCH, {"near": "10001"}).content.decode()
    assert html.index('class="result card') < html.index('<nav class="guide-jump"')


def test_the_no_results_page_and_a_search_with_errors_keep_their_guides(client, guides):
    nobody = client.get(SEARCH, {"near": "10001"}).content.decode()
    assert "We are sorry: no listed therapist" in nobody
    assert len(benefit_links(nobody.split('class="guide-panel"')[1])) >= 3
    wrong = client.get(SEARCH, {"near": "10001", "radius": "nonsense"}).content.decode()
    assert "Please check your search" in wrong
    assert len(benefit_links(wrong.split('class="guide-panel"')[1])) >= 3


def test_a_lymphatic_search_names_its_reason_beside_the_lymphatic_guide(client, guides):
    html = client.get(SEARCH, {"service": "lymphedema-therapy"}).content.decode()
    panel = html.split('class="guide-panel"')[1]
    first = re.search(r'<li><a href="/guides/([a-z-]+)/', panel).group(1)
    assert first == "lymphatic-drainage"
    assert "Because your search includes lymphedema therapy." in panel


def test_the_profile_panel_offers_the_questions_to_ask(client, guides, reviewer):
    profile = listed(reviewer=reviewer, services=("reflexology",))
    html = client.get(profile.get_absolute_url()).content.decode()
    panel = html.split('class="guide-panel"')[1]
    assert 'href="/guides/questions-to-ask/' in panel
    assert 'href="/guides/reflexology/' in panel
    assert "This therapist offers reflexology." in panel
