"""The office's intake inbox, mounted at /inbox/ by the staff URL configuration (never by the intake process)."""

from django.urls import path

from passage.intake import views_office

app_name = "inbox"
urlpatterns = [
    path("", views_office.inbox, name="list"),
    path("<uuid:account_id>/", views_office.thread, name="thread"),
    path("<uuid:account_id>/reply/", views_office.reply, name="reply"),
    path("submission/<uuid:submission_id>/case/", views_office.to_case, name="to_case"),
    path("submission/<uuid:submission_id>/handled/", views_office.mark_handled, name="handled"),
    path("submission/<uuid:submission_id>/discard/", views_office.discard, name="discard"),
    path("file/<uuid:upload_id>/", views_office.download, name="download"),
]
