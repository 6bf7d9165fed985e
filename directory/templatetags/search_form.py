"""The search form's tick-box lists and drop-down lists, and the result cards, written directly.

A search page has some sixty tick boxes, three drop-down lists and twenty
result cards. Rendered through the widgets' templates the form costs more than
the rest of the page; ``tick_boxes`` and ``select_box`` write the same markup
Django's CheckboxSelectMultiple and Select give (the tests compare them)
straight from the field's choices. ``result_card`` wraps a card's kept body
(directory/search/cards.py) with what belongs to one search, as a template
would, at a fraction of the cost of twenty includes.
"""

from html import escape

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString, mark_safe

from directory.search.cards import Result

register = template.Library()


@register.filter
def tick_boxes(field: BoundField) -> SafeString:
    """``<li>`` items, one labelled tick box per choice, ticked when chosen."""
    chosen = {str(value) for value in field.value() or ()}
    # Escaped as Django's escape() does (the standard library's, quotes included), at a
    # fraction of its cost on strings.
    name, id_prefix = escape(field.html_name), escape(field.auto_id)
    items = []
    for index, (value, label) in enumerate(field.field.choices):
        ticked = " checked" if str(value) in chosen else ""
        items.append(
            f'<li><label for="{id_prefix}_{index}"><input type="checkbox" name="{name}" value="{escape(str(value))}"'
            f' id="{id_prefix}_{index}"{ticked}>{escape(str(label))}</label></li>'
        )
    return mark_safe("".join(items))  # noqa: S308 - every value above is escaped


@register.filter
def select_box(field: BoundField) -> SafeString:
    """A one-choice field's ``<select>``, as Django's Select widget writes it (tested), without its templates."""
    value = field.value()
    chosen = "" if value is None else str(value)
    field_id = escape(field.auto_id)
    invalid = f' aria-invalid="true" aria-describedby="{field_id}_error"' if field.errors else ""
    options = "".join(
        f'  <option value="{escape(str(option))}"{" selected" if str(option) == chosen else ""}>'
        f"{escape(str(label))}</option>\n\n"
        for option, label in field.field.widget.choices
    )
    return mark_safe(f'<select name="{escape(field.html_name)}"{invalid} id="{field_id}">\n{options}</select>')  # noqa: S308


@register.simple_tag
def result_card(result: Result, profile_query: str = "") -> SafeString:
    """A result card, compact for phones: the kept card (its name, places and rendered body) with
    what this search adds (the distance and what it is measured to, "visits homes in your area")
    and the search carried to the profile (``profile_query``). Every value written is escaped."""
    card = result.card
    photo = escape(card.photo_url)
    link = escape(card.url + (f"?{profile_query}" if profile_query else ""))
    pronouns = f' <span class="muted">({escape(card.pronouns)})</span>' if card.pronouns else ""
    meta = escape(card.places)
    if result.distance_text:
        measured = f"{escape(result.measured_to)}, " if result.measured_to else ""
        between = " · " if card.places else ""
        meta = f"<strong>{measured}{escape(result.distance_text)}</strong>{between}{meta}"
    if card.accepting:
        badges = '<span class="badge badge-ok">Accepting new clients</span>'
    else:
        badges = '<span class="badge badge-warn">Not taking new clients now</span>'
    if result.visits_your_area:
        badges += ' <span class="badge badge-info">Visits homes in your area</span>'
    return mark_safe(  # noqa: S308 - every value above is escaped; the body was rendered by a template
        f'<article class="result card{" has-photo" if photo else ""}">\n'
        + (f'<img class="result-photo" src="{photo}" alt="" width="96" height="96" loading="lazy">' if photo else "")
        + f'\n<h3 class="result-name"><a href="{link}">{escape(card.name)}</a>{pronouns}</h3>\n'
        f'<p class="result-meta">{meta}</p>\n'
        f'<p class="result-badges">{badges}</p>\n'
        f"{card.body}\n</article>\n"
    )
