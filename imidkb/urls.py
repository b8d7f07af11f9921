"""URL configuration: site pages, the admin, the API and its documentation."""

from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from imidkb.api import router
from imidkb.sitemaps import SITEMAPS

urlpatterns = [
    path("", include("imidkb.site_urls")),
    path("", include("diseases.urls")),
    path("", include("treatments.urls")),
    path("", include("epidemiology.urls")),
    path("admin/", admin.site.urls),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url_name="api-schema"),
        name="api-docs",
    ),
]

handler404 = "imidkb.views.page_not_found"
