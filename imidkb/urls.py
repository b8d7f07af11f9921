"""URL configuration: site pages, the admin and (later) the API."""

from django.contrib import admin
from django.urls import path

from imidkb import views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("admin/", admin.site.urls),
]
