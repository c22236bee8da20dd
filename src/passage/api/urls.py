"""The JSON API under /api/v1/: one URL per resource, its handlers by HTTP method."""

from django.urls import path

from passage.api import views
from passage.api.auth import route

app_name = "api"
# Ids are matched as plain strings so that a malformed id gets the API's JSON 404 from the
# access helpers, the same answer as an id one may not see.
urlpatterns = [
    path("schema", views.schema, name="schema"),
    path("clients", route(GET=views.list_clients, POST=views.create_client), name="clients"),
    path("clients/<str:client_id>", route(GET=views.get_client), name="client"),
    path("clients/<str:client_id>/facts", route(PUT=views.replace_facts, PATCH=views.update_facts), name="facts"),
    path("clients/<str:client_id>/plan", route(GET=views.get_plan), name="plan"),
    path("clients/<str:client_id>/letters", route(GET=views.list_letters, POST=views.create_letter), name="letters"),
    path("clients/<str:client_id>/tasks", route(GET=views.list_tasks, POST=views.create_task), name="tasks"),
    path("letters/<str:letter_id>", route(GET=views.get_letter, PATCH=views.update_letter), name="letter"),
    path("tasks/<str:task_id>", route(PATCH=views.update_task), name="task"),
    path("institutions", route(GET=views.list_institutions), name="institutions"),
]
