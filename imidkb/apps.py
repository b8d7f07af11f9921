from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """The site layer: pages and commands built from the registry (home,
    search, compare, sources, sitemaps, releases, loadkb/dumpkb, kbstats,
    synthkb). It has no models; the framework's models keep the "imidkb"
    label (see kbframework.apps)."""

    name = "imidkb"
    label = "site"
    verbose_name = _("IMID-KB site")

    def ready(self):
        from imidkb import checks  # noqa: F401 (registers the system checks)


class KBAdminConfig(admin_apps.AdminConfig):
    """The admin, on IMID-KB's own site (review queue, curation header)."""

    default = False
    default_site = "imidkb.admin_site.KBAdminSite"
