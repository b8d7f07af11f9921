"""Site-wide HTML pages (namespace "kb")."""

from django.urls import path

from imidkb import views

app_name = "kb"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("compare/", views.CompareView.as_view(), name="compare"),
    path("about/", views.AboutView.as_view(), name="about"),
    path("sources/", views.SourceListView.as_view(), name="source-list"),
    path(
        "sources/<slug:slug>/", views.SourceDetailView.as_view(), name="source-detail"
    ),
]
