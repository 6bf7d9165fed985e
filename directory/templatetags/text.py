"""Text shortened for a card or a list: at a word boundary, with an ellipsis."""

from django import template

register = template.Library()

TRAILING = " ,;:.-–—(\u00a0"


@register.filter
def shorten(text: str, length: int = 160) -> str:
    """``text`` cut to at most ``length`` characters at a word boundary, ending "…"; whole if it fits.

    Never cuts inside a word, and drops the punctuation the cut leaves dangling
    ("care, …" becomes "care…").
    """
    text = " ".join(str(text or "").split())
    length = int(length)
    if len(text) <= length:
        return text
    cut = text[: length + 1]
    space = cut.rfind(" ")
    cut = cut[:space] if space > 0 else text[:length]
    return cut.rstrip(TRAILING) + "…"
