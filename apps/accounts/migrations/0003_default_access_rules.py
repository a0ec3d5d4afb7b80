from django.db import migrations

DEFAULT_RULES = [
    {
        "name": "Everybody may read catalogue records and process descriptions",
        "applies_to": "everybody",
        "role": "",
        "operations": ["read"],
        "resource_types": ["record", "process", "collection"],
    },
    {
        "name": "Users may run applications and use their workspace",
        "applies_to": "role",
        "role": "User",
        "operations": ["read", "execute"],
        "resource_types": ["process", "datastore", "service"],
    },
    {
        "name": "Developers may deploy applications",
        "applies_to": "role",
        "role": "Developer",
        "operations": ["deploy", "replace", "undeploy", "read", "execute"],
        "resource_types": ["process"],
    },
]


def create_default_rules(apps, schema_editor):
    rule_model = apps.get_model("accounts", "AccessRule")
    for rule in DEFAULT_RULES:
        rule_model.objects.get_or_create(
            name=rule["name"], defaults={**rule, "resource_pattern": "*"}
        )


def remove_default_rules(apps, schema_editor):
    rule_model = apps.get_model("accounts", "AccessRule")
    rule_model.objects.filter(name__in=[rule["name"] for rule in DEFAULT_RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_role_groups")]

    operations = [migrations.RunPython(create_default_rules, remove_default_rules)]
