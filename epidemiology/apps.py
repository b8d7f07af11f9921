from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EpidemiologyConfig(AppConfig):
    """Figures and studies. What they add to a disease's page, API detail and
    admin is registered in epidemiology/resources.py."""

    name = "epidemiology"
    verbose_name = _("Epidemiology")
    default_auto_field = "django.db.models.BigAutoField"
