"""Root URLs: staff app at /, API at /api/v1/, unseal at /unseal/, intake at /intake/."""

from django.urls import include, path

from passage.web import views

urlpatterns = [
    path("", include("passage.cases.urls")),
    path("accounts/", include("passage.accounts.urls")),
    path("", include("passage.sealing.urls")),
    path("api/v1/", include("passage.api.urls")),
    path("evidence/", include("passage.evidence.urls")),
    path("dossiers/", include("passage.dossier.urls")),
    path("intake/", include("passage.intake.urls")),
    path("i18n/setlang/", views.set_language, name="set_language"),
]

handler400 = "passage.web.views.bad_request"
handler403 = "passage.web.views.forbidden"
handler404 = "passage.web.views.not_found"
handler500 = "passage.web.views.server_error"
