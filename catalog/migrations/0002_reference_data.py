from django.db import migrations
from django.utils import timezone
from django.utils.text import slugify

# The 22 categories of the partner program guide, in the guide's order.
CATEGORIES = [
    "A/B Testing",
    "Advertising",
    "Analytics",
    "Attribution",
    "CRM",
    "Customer Success",
    "Deep Linking",
    "Email Marketing",
    "Enrichment",
    "Feature Flagging",
    "Heatmaps & Recordings",
    "Livechat",
    "Marketing Automation",
    "Performance Monitoring",
    "Personalization",
    "Raw Data",
    "Referrals",
    "Security & Fraud",
    "SMS & Push Notifications",
    "Surveys",
    "Tag Managers",
    "Video",
]

AGREEMENTS = [
    (
        "partner_program",
        "2022-04",
        "Segment Partner Program Agreement",
        "https://segment.com/legal/partner-program-agreement/",
    ),
    ("privacy", "2022-04", "Segment Privacy Policy", "https://segment.com/legal/privacy/"),
]


def forwards(apps, schema_editor):
    Category = apps.get_model("catalog", "Category")
    for position, name in enumerate(CATEGORIES):
        Category.objects.update_or_create(
            name=name, defaults={"slug": slugify(name.replace("&", "and")), "position": position}
        )
    AgreementVersion = apps.get_model("catalog", "AgreementVersion")
    for kind, version, title, url in AGREEMENTS:
        AgreementVersion.objects.get_or_create(
            kind=kind,
            version=version,
            defaults={"title": title, "url": url, "effective_at": timezone.now()},
        )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
