"""Root URLs: staff app at /, API at /api/v1/, unseal at /unseal/, intake at /intake/.

``PASSAGE_SERVE=staff`` leaves the portal out (it runs as its own process elsewhere);
``PASSAGE_SERVE=intake`` uses :mod:`passage.web.urls_intake` instead of this module.
"""

from django.conf import settings
from django.urls import include, path

from passage.web import views

urlpatterns = [
    path("", include("passage.cases.urls")),
    path("accounts/", include("passage.accounts.urls")),
    path("", include("passage.sealing.urls")),
    path("api/v1/", include("passage.api.urls")),
    path("api/v1/", include("passage.evidence.api")),
    path("evidence/", include("passage.evidence.urls")),
    path("dossiers/", include("passage.dossier.urls")),
    path("inbox/", include("passage.intake.staff_urls")),
    path("i18n/setlang/", views.set_language, name="set_language"),
]
if settings.PASSAGE.serve != "staff":
    urlpatterns.append(path("intake/", include("passage.intake.urls")))

handler400 = "passage.web.views.bad_request"
handler403 = "passage.web.views.forbidden"
handler404 = "passage.web.views.not_found"
handler500 = "passage.web.views.server_error"
