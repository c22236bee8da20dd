"""Root URLs of a ``PASSAGE_SERVE=intake`` process: the anonymous portal and nothing else.

No staff page, no API, no unseal page: a process that faces the Tor network offers nothing
but the portal, and holds no key that could open what it stores.
"""

from django.urls import include, path

from passage.intake import views

urlpatterns = [
    path("", views.root, name="root"),
    path("intake/", include("passage.intake.urls")),
]

handler400 = "passage.intake.views.bad_request"
handler403 = "passage.intake.views.forbidden"
handler404 = "passage.intake.views.not_found"
handler500 = "passage.intake.views.server_error"
