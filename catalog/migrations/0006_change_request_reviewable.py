"""Change requests share the review columns of spec and metadata revisions (``Reviewable``):
they gain ``submitted_at`` (filled from ``created_at``: a change request is filed in review) and
``field_comments``. Nothing else changes in the database."""

import django.utils.timezone
from django.db import migrations, models
from django.db.models import F


def submitted_when_created(apps, schema_editor):
    ChangeRequest = apps.get_model("catalog", "ChangeRequest")
    ChangeRequest.objects.update(submitted_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_outbox_body_removed_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="changerequest",
            name="field_comments",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="changerequest",
            name="submitted_at",
            field=models.DateTimeField(blank=True, default=django.utils.timezone.now, null=True),
        ),
        migrations.RunPython(submitted_when_created, migrations.RunPython.noop, elidable=True),
    ]
