from django.urls import path

from epidemiology import views

app_name = "epidemiology"

urlpatterns = [
    path("epidemiology/", views.FigureListView.as_view(), name="figure-list"),
    path(
        "epidemiology/studies/<slug:slug>/",
        views.StudyDetailView.as_view(),
        name="study-detail",
    ),
]
