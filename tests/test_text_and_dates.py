"""Summaries cut at a word boundary, and one date format on every page."""

import pytest
from django.conf import settings
from django.template import Context, Template

from directory.templatetags.text import shorten


def test_a_summary_is_cut_at_a_word_boundary_with_an_ellipsis():
    text = "Massage can ease anxiety, tiredness and pain for many people living with cancer."
    assert shorten(text, 200) == text
    assert shorten(text, 30) == "Massage can ease anxiety…"
    assert shorten(text, 26) == "Massage can ease anxiety…"
    assert not shorten(text, 33).endswith("tir…")
    assert shorten("Supercalifragilistic", 5) == "Super…"


@pytest.mark.django_db
def test_dates_read_the_same_everywhere():
    import datetime

    assert settings.DATE_FORMAT == "j F Y"
    rendered = Template("{{ day|date }}").render(Context({"day": datetime.date(2026, 12, 5)}))
    assert rendered == "5 December 2026"
