"""Evidence locker pages. Ids in URLs are opaque UUIDs; search terms travel by POST, never in URLs."""

from django.urls import path

from passage.evidence import views, views_translations

app_name = "evidence"
urlpatterns = [
    path("case/<uuid:case_id>/", views.case_evidence, name="case"),
    path("case/<uuid:case_id>/upload/", views.upload, name="upload"),
    path("case/<uuid:case_id>/search/", views.search, name="search"),
    path("case/<uuid:case_id>/requirements/", views.requirements, name="requirements"),
    path("case/<uuid:case_id>/requirements/record/", views.record_kinds, name="record_kinds"),
    path("case/<uuid:case_id>/links/", views.case_link, name="case_link"),
    path("item/<uuid:item_id>/", views.item_detail, name="item"),
    path("item/<uuid:item_id>/download/", views.item_download, name="download"),
    path("item/<uuid:item_id>/history/", views.item_history, name="history"),
    path("item/<uuid:item_id>/edit/", views.item_edit, name="edit"),
    path("item/<uuid:item_id>/ocr/", views.item_ocr, name="ocr"),
    path("item/<uuid:item_id>/verify/", views.item_verify, name="verify"),
    path("item/<uuid:item_id>/links/", views.item_link, name="link"),
    path("item/<uuid:item_id>/delete/", views.item_delete, name="delete"),
    path("item/<uuid:item_id>/translations/new/", views_translations.translation_new, name="translation_new"),
    path("links/<int:link_id>/delete/", views.link_delete, name="link_delete"),
    path("translations/<uuid:translation_id>/", views_translations.translation_edit, name="translation"),
    path(
        "translations/<uuid:translation_id>/download/",
        views_translations.translation_download,
        name="translation_download",
    ),
]
