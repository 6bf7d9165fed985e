"""Turn a guide's Markdown into HTML that is safe to put on the page.

Guide files are reviewed like code, but the sanitiser is what makes that
review a second line of defence rather than the only one: whatever the
Markdown says, only a short list of plain text-structure tags survives.
"""

import html
import re

import markdown as markdown_lib
import nh3
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe

# No headings above h2: the page template owns the one h1.
ALLOWED_TAGS = frozenset({"p", "h2", "h3", "ul", "ol", "li", "strong", "em", "a", "blockquote"})
ALLOWED_ATTRIBUTES = {"a": {"href"}}
# Relative links (to other guides) stay allowed; nh3 keeps those by default.
ALLOWED_URL_SCHEMES = frozenset({"https", "http", "mailto"})
# Tags whose text must go too, not just the tag: "alert(1)" is not prose.
DROPPED_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "template", "textarea", "title"})

_WHITESPACE = re.compile(r"\s+")


def render_markdown(source: str) -> SafeString:
    """Render Markdown and keep only the allowed tags and link addresses."""
    unsafe_html = markdown_lib.markdown(source, output_format="html")
    clean_html = nh3.clean(
        unsafe_html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel="noopener",
        strip_comments=True,
    )
    return mark_safe(clean_html)  # noqa: S308 - nh3 output is safe by construction


def html_to_text(fragment: str) -> str:
    """Readable text of an HTML fragment: tags (and so link addresses) dropped."""
    # A space per tag keeps "</li><li>" from gluing two words together.
    spaced = fragment.replace("<", " <")
    return _WHITESPACE.sub(" ", html.unescape(strip_tags(spaced))).strip()
