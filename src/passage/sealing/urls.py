from django.urls import path

from passage.sealing import views

app_name = "sealing"
urlpatterns = [
    path("unseal/", views.unseal, name="unseal"),
    path("vault/seal/", views.seal, name="seal"),
]
