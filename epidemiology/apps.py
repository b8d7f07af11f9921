from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EpidemiologyConfig(AppConfig):
    name = "epidemiology"
    verbose_name = _("Epidemiology")
    default_auto_field = "django.db.models.BigAutoField"
