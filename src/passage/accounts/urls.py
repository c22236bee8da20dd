from django.urls import path

from passage.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("logout/", views.logout_view, name="logout"),
    path("users/", views.users, name="users"),
    path("users/<int:user_id>/reset-two-factor/", views.reset_two_factor, name="reset_two_factor"),
    path("users/<int:user_id>/toggle-active/", views.toggle_active, name="toggle_active"),
]
