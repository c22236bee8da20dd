from django.urls import path

from passage.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cases/", views.case_list, name="list"),
    path("follow-ups/", views.overdue, name="overdue"),
    path("institutions/", views.institutions, name="institutions"),
    path("statistics/", views.stats, name="stats"),
]
