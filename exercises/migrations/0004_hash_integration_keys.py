"""Integration keys stored hashed: each existing key keeps working (its first 8 characters
become its prefix, its SHA-512 hash is stored), then the plain keys are dropped."""

from django.db import migrations, models


def hash_existing_keys(apps, schema_editor):
    from rest_framework_api_key.crypto import KeyGenerator

    keys = KeyGenerator()
    IntegrationToken = apps.get_model("exercises", "IntegrationToken")
    for token in IntegrationToken.objects.all():
        token.prefix = token.key[:8]
        token.hashed_key = keys.hash(token.key)
        token.save(update_fields=["prefix", "hashed_key"])


class Migration(migrations.Migration):
    dependencies = [("exercises", "0003_accommodations_overrides")]

    operations = [
        migrations.AddField("integrationtoken", "prefix",
                            models.CharField(max_length=8, db_index=True, editable=False,
                                             default="")),
        migrations.AddField("integrationtoken", "hashed_key",
                            models.CharField(max_length=150, editable=False, default="")),
        migrations.AddField("integrationtoken", "expires_at",
                            models.DateTimeField(null=True, blank=True,
                                                 help_text="After this the key no longer "
                                                           "works.")),
        migrations.AddField("integrationtoken", "revoked_at",
                            models.DateTimeField(null=True, blank=True, editable=False)),
        migrations.AddField("integrationtoken", "last_used_at",
                            models.DateTimeField(null=True, blank=True, editable=False)),
        migrations.RunPython(hash_existing_keys, migrations.RunPython.noop),
        migrations.RemoveField("integrationtoken", "key"),
        migrations.AlterField("integrationtoken", "prefix",
                              models.CharField(max_length=8, db_index=True, editable=False)),
        migrations.AlterField("integrationtoken", "hashed_key",
                              models.CharField(max_length=150, editable=False)),
    ]
