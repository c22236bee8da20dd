"""The anonymous portal, mounted at /intake/ (and the only thing a PASSAGE_SERVE=intake process serves)."""

from django.urls import path

from passage.intake import views

app_name = "intake"
urlpatterns = [
    path("", views.start, name="start"),
    path("language/", views.language, name="language"),
    path("new/", views.new_codename, name="new"),
    path("practice/", views.practice, name="practice"),
    path("q/<slug:name>/", views.step, name="step"),
    path("files/", views.files, name="files"),
    path("files/remove/", views.remove_file, name="remove_file"),
    path("overview/", views.overview, name="overview"),
    path("send/", views.send, name="send"),
    path("sent/", views.sent, name="sent"),
    path("login/", views.login, name="login"),
    path("message/", views.message, name="message"),
    path("leave/", views.leave, name="leave"),
]
