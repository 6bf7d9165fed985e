"""What the guides say: no claim stronger than the evidence, the safety guide's red flags with
what to do, the crisis lines, sources that are the page that says it, and a review date."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.template.loader import render_to_string

from guides.loader import CONTENT_DIR, GuideFileError, parse_guide_file, read_guide_files

GUIDE_FILES = {guide.slug: guide for guide in read_guide_files()}
GUIDE_SLUGS = sorted(GUIDE_FILES)

# Words that promise more than any guideline supports. A sentence may use them only to say the claim is false.
CLAIMS = {
    "cure": re.compile(r"\bcur(e|es|ed|ing)\b", re.I),
    "detox": re.compile(r"\bdetox", re.I),
    "toxins": re.compile(r"\btoxins?\b", re.I),
    "boosts immunity": re.compile(r"\bboost(s|ed|ing)?\s+(the\s+|your\s+)?immun", re.I),
    "proven": re.compile(r"\bproven\b", re.I),
    "good evidence": re.compile(r"\bgood (evidence|science)\b", re.I),
}
NEGATION = re.compile(r"\b(not|no|never|cannot|can't|don't|doesn't|isn't|aren't|false|myth)\b", re.I)
BLOCK_END = re.compile(r"</(p|li|h2|h3|blockquote)>", re.I)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def sentences(guide_file) -> list[str]:
    """Every sentence a reader sees: title, summary, key points, the line beside the results, the body."""
    from guides.markdown import html_to_text, render_markdown

    texts = [guide_file.title, guide_file.summary, guide_file.search_reason, *guide_file.key_points]
    texts += [html_to_text(block) for block in BLOCK_END.split(str(render_markdown(guide_file.body)))]
    return [sentence.strip() for text in texts for sentence in SENTENCE_END.split(text) if sentence.strip()]


def unsupported_claims(text_sentences: list[str]) -> list[tuple[str, str]]:
    return [
        (name, sentence)
        for sentence in text_sentences
        for name, pattern in CLAIMS.items()
        if pattern.search(sentence) and not NEGATION.search(sentence)
    ]


@pytest.mark.parametrize("slug", GUIDE_SLUGS)
def test_no_guide_claims_a_cure_a_detox_or_proof_unless_it_says_the_claim_is_false(slug):
    assert unsupported_claims(sentences(GUIDE_FILES[slug])) == []


def test_the_claim_scan_catches_a_claim_and_lets_a_denial_stand():
    found = unsupported_claims(
        [
            "Massage does not cure cancer.",
            "These claims about toxins are not supported.",
            "Massage boosts immunity in a week.",
            "There is good evidence that massage eases fatigue.",
            "Lymph massage helps you detox.",
            "It is proven to help.",
            "Some say it cures cancer.",
            "Scans can be secure and accurate.",
        ]
    )
    assert [name for name, _ in found] == ["boosts immunity", "good evidence", "detox", "proven", "cure"]


def test_the_debunking_sentences_stay():
    assert "Massage does not treat cancer, and it does not cure it." in sentences(GUIDE_FILES["is-massage-safe"])
    lymph = " ".join(sentences(GUIDE_FILES["lymphatic-drainage"]))
    assert "removes toxins or detoxes the body, but these claims are not supported" in lymph


@pytest.mark.parametrize("slug", GUIDE_SLUGS)
def test_the_2014_guideline_is_never_cited_alone(slug):
    urls = [source.url for source in GUIDE_FILES[slug].sources]
    if any("jncimono/article/2014" in url for url in urls):
        # Superseded by the 2017 update: history only, beside the newer guideline.
        assert "https://pmc.ncbi.nlm.nih.gov/articles/PMC5892208/" in urls


def test_no_guide_says_massage_is_recommended_for_anxiety():
    for slug, guide_file in GUIDE_FILES.items():
        for sentence in sentences(guide_file):
            lowered = sentence.lower()
            if "massage" in lowered and "anxiety" in lowered and "recommend" in lowered:
                assert NEGATION.search(sentence), (slug, sentence)


def test_the_evidence_guides_cite_the_newest_guidelines_by_deep_link():
    def urls(slug):
        return {source.url for source in GUIDE_FILES[slug].sources}

    pain_2022 = "https://doi.org/10.1200/JCO.22.01357"
    mood_2023 = "https://doi.org/10.1200/JCO.23.00857"
    breast_2017 = "https://pmc.ncbi.nlm.nih.gov/articles/PMC5892208/"
    assert {mood_2023, breast_2017} <= urls("emotional-support")
    assert {pain_2022, breast_2017} <= urls("physical-benefits")
    assert {pain_2022, breast_2017, mood_2023} <= urls("quality-of-life")
    assert {pain_2022, mood_2023} <= urls("reflexology")


# Sources


@pytest.mark.parametrize("slug", GUIDE_SLUGS)
def test_every_source_is_a_page_not_a_site_home_page(slug):
    for source in GUIDE_FILES[slug].sources:
        assert re.match(r"https://[^/]+/\S+", source.url) and source.url.split("/", 3)[3].strip("/"), source.url


@pytest.mark.parametrize("url", ["https://www.s4om.org", "https://www.s4om.org/", "https://www.s4om.org/?ref=1"])
def test_a_source_pointing_at_a_home_page_is_refused(tmp_path, url):
    path = tmp_path / "questions-to-ask.md"
    original = (CONTENT_DIR / "questions-to-ask.md").read_text()
    path.write_text(re.sub(r"url: \S+", f"url: {url}", original, count=1))
    with pytest.raises(GuideFileError, match="home page"):
        parse_guide_file(path)


# Review dates and the lines beside the results


def test_a_guide_without_a_review_date_is_refused(tmp_path):
    path = tmp_path / "reflexology.md"
    path.write_text(re.sub(r"last_reviewed: .*\n", "", (CONTENT_DIR / "reflexology.md").read_text()))
    with pytest.raises(GuideFileError, match="last_reviewed"):
        parse_guide_file(path)


def test_a_guide_shown_beside_the_results_needs_its_reason(tmp_path):
    path = tmp_path / "reflexology.md"
    path.write_text(re.sub(r"search_reason: .*\n", "", (CONTENT_DIR / "reflexology.md").read_text()))
    with pytest.raises(GuideFileError, match="search_reason"):
        parse_guide_file(path)


@pytest.mark.django_db
def test_the_load_command_reports_a_home_page_source_by_file(tmp_path):
    folder = Path(tmp_path / "content")
    folder.mkdir()
    text = (CONTENT_DIR / "questions-to-ask.md").read_text()
    (folder / "questions-to-ask.md").write_text(re.sub(r"url: \S+", "url: https://s4om.org/", text, count=1))
    with pytest.raises(CommandError, match=r"questions-to-ask\.md.*home page"):
        call_command("load_guides", path=folder, stdout=StringIO())


# Safety and crisis wording


def body_text(slug: str) -> str:
    return " ".join(sentences(GUIDE_FILES[slug]))


def test_the_safety_guide_says_no_direct_pressure_on_every_site_that_needs_it():
    text = body_text("is-massage-safe")
    assert "no direct pressure on surgery sites, ports, drains or lines" in text
    assert "no direct pressure on skin treated with radiation" in text
    assert "no pressure right over a tumour or a lump" in text
    assert "keep firm pressure off" not in text


def test_the_safety_guide_gives_each_red_flag_with_what_to_do():
    text = body_text("is-massage-safe")
    for red_flag, action in [
        ("may be a blood clot", "Do not have that limb massaged. Contact your care team the same day."),
        ("Sudden breathlessness or chest pain", "call your emergency number now"),
        ("A fever during chemotherapy (38 °C or 100.4 °F or higher)", "Call your chemotherapy helpline"),
        ("may be an infection called cellulitis", "See a doctor the same day."),
    ]:
        assert red_flag in text and action in text, red_flag
        assert text.index(red_flag) < text.index(action) < text.index(red_flag) + 200


def test_the_safety_guide_answers_whether_massage_spreads_cancer():
    guide_file = GUIDE_FILES["is-massage-safe"]
    assert "Can massage spread cancer?" in guide_file.body
    assert "there is no evidence that massage spreads cancer" in body_text("is-massage-safe")


def test_the_emotional_support_guide_gives_the_crisis_lines():
    text = body_text("emotional-support")
    assert "In the US: call or text 988" in text
    assert "In the UK: call Samaritans on 116 123" in text
    assert "Anywhere else: call your local emergency number." in text


def test_the_lymphatic_guide_covers_cellulitis_when_drainage_is_not_done_and_both_spellings():
    text = body_text("lymphatic-drainage")
    assert "cellulitis" in text and "See a doctor the same day." in text
    assert "Do not have drainage until the infection has been treated." in text
    assert "When drainage is not done" in text
    for case in ("during an infection that is not yet treated", "over a blood clot", "heart failure"):
        assert case in text
    assert "lymphedema" in text and "lymphoedema" in text


def test_every_page_names_the_emergency_number_of_each_country_listed():
    html = render_to_string("includes/footer.html", {"user": None})
    countries = (
        "911 in the US and Canada",
        "999 in the UK",
        "112 in Ireland",
        "000 in Australia",
        "111 in New Zealand",
    )
    for number in countries:
        assert number in html
    assert "your local emergency number" in html
    assert all(number in render_to_string("500.html") for number in ("911", "999", "112", "000", "111"))
