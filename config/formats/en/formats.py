"""Date formats for English pages: one format everywhere, "5 December 2026".

Django reads a locale's formats before the DATE_FORMAT setting, so the
setting alone would leave en-us pages saying "Dec. 5, 2026".
"""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
