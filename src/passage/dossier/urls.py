app_name = "dossier"
urlpatterns: list[object] = []
