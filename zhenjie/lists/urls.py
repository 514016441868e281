from django.urls import path

from . import public, views

app_name = "lists"
urlpatterns = [
    # Staff pages
    path("lists/", views.home, name="home"),
    path("lists/new/", views.list_new, name="new"),
    path("lists/<id:series_id>/", views.series_detail, name="series"),
    path("lists/<id:series_id>/draft/", views.draft_start, name="draft"),
    path("lists/versions/<id:version_id>/", views.version_detail, name="version"),
    path("lists/versions/<id:version_id>/publish/", views.version_publish, name="publish"),
    path("lists/versions/<id:version_id>/discard/", views.version_discard, name="discard"),
    path("lists/versions/<id:version_id>/import/", views.import_page, name="import"),
    path("lists/versions/<id:version_id>/items/new/", views.item_new, name="item_new"),
    path("lists/versions/<id:version_id>/items/<id:item_id>/", views.item_detail, name="item"),
    path("lists/versions/<id:version_id>/items/<id:item_id>/edit/", views.item_edit, name="item_edit"),
    path("lists/versions/<id:version_id>/items/<id:item_id>/delete/", views.item_delete, name="item_delete"),
    path("lists/diff/", views.diff, name="diff"),
    path("lists/imports/<id:job_id>/", views.import_job, name="import_job"),
    path("lists/imports/<id:job_id>/errors.xlsx", views.import_errors, name="import_errors"),
    path("lists/delegations/", views.delegations, name="delegations"),
    path("lists/delegations/batches/<id:batch_id>/", views.batch_detail, name="batch"),
    path("lists/delegations/<id:delegation_id>/", views.delegation_detail, name="delegation"),
    path("lists/delegations/<id:delegation_id>/<slug:action>/", views.delegation_act, name="delegation_act"),
    path("lists/lookup/", views.lookup, name="lookup"),
    # Public pages, no login
    path("public/lists/", public.index, name="public_index"),
    path("public/lists/<str:code>/", public.township, name="public_township"),
    path("public/lists/<str:code>/services/<str:item_code>/", public.guide, name="public_guide"),
    path("public/lists/<str:code>/<slug:slug>/", public.section, name="public_section"),
]
