app_name = "intake"
urlpatterns: list[object] = []
