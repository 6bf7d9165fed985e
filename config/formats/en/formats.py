# One date format on every page ("5 December 2026"): the locale's own formats
# win over the DATE_FORMAT setting, so they are set here too.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "j F Y"
SHORT_DATETIME_FORMAT = "j F Y, H:i"
