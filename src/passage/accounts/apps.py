from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "passage.accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from passage.accounts import signals  # noqa: F401 - connects login audit
