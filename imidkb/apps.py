from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class ImidkbConfig(AppConfig):
    name = "imidkb"
    verbose_name = _("Knowledge base")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from imidkb import signals

        signals.connect()


class KBAdminConfig(admin_apps.AdminConfig):
    """The admin, on IMID-KB's own site (review queue, curation header)."""

    default = False
    default_site = "imidkb.admin_site.KBAdminSite"
