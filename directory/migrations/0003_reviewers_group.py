"""The Reviewers group, holding the one permission the review pages ask for."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Reviewers"


def add_group(apps, schema_editor):
    # Permissions are normally created after migrations; create them now so
    # the group can hold its permission from the start.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    permission = Permission.objects.get(content_type__app_label="directory", codename="review_credentials")
    group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [("directory", "0002_vocabularies"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(add_group, migrations.RunPython.noop)]
