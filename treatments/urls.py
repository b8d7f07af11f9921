from django.urls import path

from treatments import views

app_name = "treatments"

urlpatterns = [
    path("drug-classes/", views.DrugClassListView.as_view(), name="drugclass-list"),
    path(
        "drug-classes/<slug:slug>/",
        views.DrugClassDetailView.as_view(),
        name="drugclass-detail",
    ),
    path("drugs/", views.DrugListView.as_view(), name="drug-list"),
    path("drugs/<slug:slug>/", views.DrugDetailView.as_view(), name="drug-detail"),
]
