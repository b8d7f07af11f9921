from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TreatmentsConfig(AppConfig):
    """Drug classes and drugs. What they add to a disease's page, API detail
    and admin is registered in treatments/resources.py."""

    name = "treatments"
    verbose_name = _("Treatments")
    default_auto_field = "django.db.models.BigAutoField"
