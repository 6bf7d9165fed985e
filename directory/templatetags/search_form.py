"""The search form's tick-box lists and drop-down lists, written directly.

A search page has some sixty tick boxes and three drop-down lists. Rendered
through the widgets' templates they cost more than the rest of the form;
``tick_boxes`` and ``select_box`` write the same markup Django's
CheckboxSelectMultiple and Select give (the tests compare them) straight from
the field's choices.
"""

from html import escape

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString, mark_safe

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
