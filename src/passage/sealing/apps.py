from django.apps import AppConfig


class SealingConfig(AppConfig):
    name = "passage.sealing"
    default_auto_field = "django.db.models.BigAutoField"
