from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KBFrameworkConfig(AppConfig):
    """The knowledge-base framework.

    Its label stays "imidkb", the label its models (sources, citations, the
    data version, releases, the search index) were created under: tables,
    migrations, fixture labels ("imidkb.source"), content types and the
    "imidkb.review_records" permission keep their names.
    """

    name = "kbframework"
    label = "imidkb"
    verbose_name = _("Knowledge base")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        from kbframework import checks, curation, signals  # noqa: F401 (checks)

        # Every app's resources.py fills the registry, this one's first.
        autodiscover_modules("resources")
        signals.connect()
        curation.connect()
