"""Dossier pages (lawyers and admins). Ids in URLs are opaque UUIDs."""

from django.urls import path

from passage.dossier import views

app_name = "dossier"
urlpatterns = [
    path("case/<uuid:case_id>/", views.case_dossiers, name="case"),
    path("case/<uuid:case_id>/new/", views.new, name="new"),
    path("<uuid:dossier_id>/download/", views.download, name="download"),
    path("<uuid:dossier_id>/delete/", views.delete, name="delete"),
    path("letters/", views.letters, name="letters"),
    path("letters/<str:language>/", views.letter_edit, name="letter_edit"),
]
