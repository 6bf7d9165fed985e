"""The one site of the sites framework (SITE_ID = 1), named after the directory.

allauth keys its sign-in lockout on the current site; this gives that site
the directory's own name and the host of SITE_URL instead of example.com.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import migrations

SITE_NAME = "Oncology Massage Directory"


def name_the_site(apps, schema_editor):
    Site = apps.get_model("sites", "Site")
    domain = urlsplit(getattr(settings, "SITE_URL", "")).netloc or "localhost"
    Site.objects.using(schema_editor.connection.alias).update_or_create(
        pk=getattr(settings, "SITE_ID", 1), defaults={"domain": domain[:100], "name": SITE_NAME}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("sites", "0002_alter_domain_unique"),
    ]

    operations = [migrations.RunPython(name_the_site, migrations.RunPython.noop)]
