"""Remove the unverified addresses added beside an account's own.

Accounts now have one address, changed by confirming the new one with a code
(the pending address lives only in the session). An unverified second address
left from before could still block, or capture, its real owner's sign-up.
"""

from django.db import migrations


def remove_unverified_secondary_addresses(apps, schema_editor):
    EmailAddress = apps.get_model("account", "EmailAddress")
    EmailAddress.objects.using(schema_editor.connection.alias).filter(verified=False, primary=False).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_name_the_site"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(remove_unverified_secondary_addresses, migrations.RunPython.noop)]
