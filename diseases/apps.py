from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiseasesConfig(AppConfig):
    name = "diseases"
    verbose_name = _("Diseases")
    default_auto_field = "django.db.models.BigAutoField"
