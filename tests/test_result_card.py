"""The result card written by the ``result_card`` tag is the markup its template gave, escaped alike."""

from itertools import product

from django.template import Context, Template
from django.utils.safestring import mark_safe

from directory.search.cards import Card, Result
from directory.templatetags.search_form import result_card

# The card as a template wrote it: the reference the tag is compared with.
REFERENCE = Template(
    '{% with card=result.card %}<article class="result card{% if card.photo_url %} has-photo{% endif %}">\n'
    '{% if card.photo_url %}<img class="result-photo" src="{{ card.photo_url }}" alt="" width="96" height="96"'
    ' loading="lazy">{% endif %}\n'
    '<h3 class="result-name"><a href="{{ card.url }}{% if profile_query %}?{{ profile_query }}{% endif %}">'
    '{{ card.name }}</a>{% if card.pronouns %} <span class="muted">({{ card.pronouns }})</span>{% endif %}</h3>\n'
    '<p class="result-meta">{% if result.distance_text %}<strong>{% if result.measured_to %}{{ result.measured_to }}, '
    "{% endif %}{{ result.distance_text }}</strong>{% if card.places %} · {% endif %}{% endif %}{{ card.places }}</p>\n"
    '<p class="result-badges">{% if card.accepting %}<span class="badge badge-ok">Accepting new clients</span>'
    '{% else %}<span class="badge badge-warn">Not taking new clients now</span>{% endif %}'
    '{% if result.visits_your_area %} <span class="badge badge-info">Visits homes in your area</span>{% endif %}</p>\n'
    "{{ card.body }}\n</article>{% endwith %}\n"
)


def make_card(*, photo: bool, pronouns: bool, places: bool, accepting: bool) -> Card:
    return Card(
        url="/therapists/ana-o-brien/",
        name="Ana O'Brien & <Co>",
        pronouns='she/"her"' if pronouns else "",
        photo_url="/media/photos/a&b.jpg" if photo else "",
        accepting=accepting,
        places="Portland, OR; Salem <OR>" if places else "",
        body=mark_safe('<p class="headline">Gentle <em>work</em></p>'),
        based="practice",
        locations=(),
        areas=(),
    )


def test_every_kind_of_card_is_written_as_its_template_wrote_it():
    compared = 0
    for photo, pronouns, places, accepting, distance, measured, visits, query in product((False, True), repeat=8):
        result = Result(
            card=make_card(photo=photo, pronouns=pronouns, places=places, accepting=accepting),
            distance=2.5 if distance else None,
            distance_text="2.5 miles" if distance else "",
            visits_your_area=visits,
            measured_to="practice in O'Hare & <Co>" if measured else "",
        )
        profile_query = "search=near%3D10001%26q%3Da%27b&x=<1>" if query else ""
        expected = REFERENCE.render(Context({"result": result, "profile_query": profile_query}))
        assert result_card(result, profile_query) == expected
        compared += 1
    assert compared == 256
