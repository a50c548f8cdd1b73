"""The unaccent extension: a visitor who types « saint-etienne » finds Saint-Étienne's
platform (``platforms.selectors.platforms_named``). A trusted extension: the application's
role may create it."""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("platforms", "0009_prices")]

    operations = [UnaccentExtension()]
