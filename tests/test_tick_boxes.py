"""The search form's tick boxes and drop-down lists (directory/templatetags/search_form.py) are exactly
what Django's widgets give."""

import pytest
from django.http import QueryDict
from django.template import Context, Template

from directory.models import Profile
from directory.search.filterset import TherapistFilter
from directory.templatetags.search_form import select_box, tick_boxes

pytestmark = pytest.mark.django_db

# The loop through the widget's own subwidgets that tick_boxes replaces.
WIDGET_LOOP = Template(
    '{% for choice in field %}<li><label for="{{ choice.id_for_label }}"><input type="checkbox" '
    'name="{{ choice.data.name }}" value="{{ choice.data.value }}" id="{{ choice.id_for_label }}"'
    "{% if choice.data.selected %} checked{% endif %}>{{ choice.choice_label }}</label></li>{% endfor %}"
)
FIELDS = ("service", "phase", "visit", "cancer_type", "setting", "language")


@pytest.mark.parametrize(
    "query",
    [
        "",
        "service=lymphedema-therapy",
        "service=lymphedema-therapy&service=oncology-massage&phase=active-treatment&language=es&visit=home",
        "service=not-a-service&language=<b>&visit=home&visit=home",
    ],
)
def test_tick_boxes_are_the_widget_markup(query):
    search = TherapistFilter(QueryDict(query), queryset=Profile.objects.listed())
    search.is_valid()
    for name in FIELDS:
        field = search.form[name]
        assert list(field.field.choices), name
        assert str(tick_boxes(field)) == WIDGET_LOOP.render(Context({"field": field})), name


@pytest.mark.parametrize(
    "query",
    ["", "radius=10&gender=woman&sort=distance", "radius=7&gender=x&sort=<b>", "radius=250&gender=non-binary&sort="],
)
def test_drop_down_lists_are_the_widget_markup(query):
    search = TherapistFilter(QueryDict(query), queryset=Profile.objects.listed())
    search.is_valid()
    for name in ("radius", "gender", "sort"):
        field = search.form[name]
        assert str(select_box(field)) == str(field), name
