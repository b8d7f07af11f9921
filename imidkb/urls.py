"""URL configuration: site pages, the admin, the API and its documentation."""

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from imidkb import resolver, views
from imidkb.router import router
from imidkb.sitemaps import build_sitemaps
from kbframework.registry import registry

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin).
    path("favicon.ico", views.favicon),
    path("", include("imidkb.site_urls")),
    # The identifier resolver and the clinical systems' lookup (HL7
    # Infobutton): imidkb.resolver.
    path("id/<path:identifier>", resolver.resolve, name="resolve-identifier"),
    path("infobutton/", resolver.infobutton, name="infobutton"),
    # The HTML pages of every app that registers resources (its urls.py).
    *(path("", include(module)) for module in registry.page_urls()),
    path("admin/", admin.site.urls),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": build_sitemaps()},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        # The split view serves Swagger UI's set-up script as a file, so the
        # Content-Security-Policy needs no inline script.
        # Swagger UI sets inline styles from its script: allowed on this page
        # only.
        csp_override(
            {**settings.SECURE_CSP, "style-src": [CSP.SELF, CSP.UNSAFE_INLINE]}
        )(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    # Any other API path: the API's JSON 404, in debug mode too (where
    # Django would answer its HTML debug page instead of handler404).
    re_path(r"^api/", views.api_not_found),
]

handler400 = "imidkb.views.bad_request"
handler403 = "imidkb.views.permission_denied"
handler404 = "imidkb.views.page_not_found"
handler500 = "imidkb.views.server_error"
