from django.apps import AppConfig


class DossierConfig(AppConfig):
    name = "passage.dossier"
    default_auto_field = "django.db.models.BigAutoField"
