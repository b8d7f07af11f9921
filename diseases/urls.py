from django.urls import path

from diseases import views

app_name = "diseases"

urlpatterns = [
    path("diseases/", views.DiseaseListView.as_view(), name="disease-list"),
    path(
        "diseases/<slug:slug>/",
        views.DiseaseDetailView.as_view(),
        name="disease-detail",
    ),
    path("conditions/", views.ConditionListView.as_view(), name="condition-list"),
    path(
        "conditions/<slug:slug>/",
        views.DiseaseDetailView.as_view(outcomes=True),
        name="condition-detail",
    ),
    path("symptoms/", views.SymptomListView.as_view(), name="symptom-list"),
    path(
        "symptoms/<slug:slug>/",
        views.SymptomDetailView.as_view(),
        name="symptom-detail",
    ),
    path("mechanisms/", views.MechanismListView.as_view(), name="mechanism-list"),
    path(
        "mechanisms/<slug:slug>/",
        views.MechanismDetailView.as_view(),
        name="mechanism-detail",
    ),
    path("body-systems/", views.BodySystemListView.as_view(), name="bodysystem-list"),
    path(
        "body-systems/<slug:slug>/",
        views.BodySystemDetailView.as_view(),
        name="bodysystem-detail",
    ),
]
