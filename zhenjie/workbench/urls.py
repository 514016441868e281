from django.urls import path, re_path

from . import archive_pages, console, documents, notify_pages, people, views

app_name = "workbench"
urlpatterns = [
    path("", views.home, name="home"),
    # Base-map tiles (basemap.py): digits of bounded length here, the zoom's range in the view.
    re_path(r"^tiles/(?P<z>[0-9]{1,2})/(?P<x>[0-9]{1,8})/(?P<y>[0-9]{1,8})$", views.tile, name="tile"),
    path("inbox/", views.inbox, name="inbox"),
    path("supervision/escalated/", views.escalated, name="escalated"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.mark_notifications_read, name="notifications_read"),
    path("notifications/<id:pk>/", views.notification_open, name="notification_open"),
    path("notifications/channels/", notify_pages.my_channels, name="notification_channels"),
    path("areas/", views.areas, name="areas"),
    path("areas/geojson/", views.areas_geojson, name="areas_geojson"),
    path("areas/<id:pk>/", views.areas, name="area"),
    path("units/", views.units, name="units"),
    path("files/<id:pk>/", views.attachment, name="attachment"),
    path("documents/<id:pk>/pdf/", documents.document_pdf, name="document_pdf"),
    path("cases/<id:case_id>/archive/", archive_pages.case_archive, name="case_archive"),
    path("cases/<id:case_id>/archive/<id:pk>/zip/", archive_pages.package_zip, name="archive_zip"),
    path("cases/<id:case_id>/archive/<id:pk>/verify/", archive_pages.package_verify, name="archive_verify"),
    path("console/archive/", archive_pages.retention_page, name="retention"),
    path("console/documents/", documents.template_list, name="document_templates"),
    path("console/documents/<slug:code>/", documents.template_edit, name="document_template"),
    path("console/documents/<slug:code>/preview/", documents.template_preview, name="document_template_preview"),
    path("console/documents/<slug:code>/reset/", documents.template_reset, name="document_template_reset"),
    path("console/calendar/", console.calendar_page, name="calendar"),
    path("console/area-changes/", console.area_changes_page, name="area_changes"),
    path("console/supervision/", console.supervision_page, name="supervision"),
    path("console/users/", console.users_page, name="users"),
    path("console/people/<id:pk>/", people.person_page, name="person"),
    path("leave/", people.my_leave, name="my_leave"),
    path("console/security/", console.security_page, name="security"),
    path("console/admins/", console.admins_page, name="admins"),
    path("console/journal/", console.journal_page, name="journal"),
    path("console/deliveries/", notify_pages.deliveries_page, name="deliveries"),
]
