from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImidkbConfig(AppConfig):
    name = "imidkb"
    verbose_name = _("Knowledge base")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from imidkb import signals

        signals.connect()
