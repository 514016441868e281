from django.urls import path

from zhenjie.workbench.kit import act

from . import views

app_name = "events"
urlpatterns = [
    path("", views.event_list, name="home"),
    path("report/", views.event_report, name="report"),
    path("<id:case_id>/", views.event_detail, name="detail"),
    path("<id:case_id>/print/", views.event_print, name="print"),
    path("<id:case_id>/act/<slug:transition>/", act, {"kind": "events"}, name="act"),
    path("<id:case_id>/receipt/", views.event_receipt, name="receipt"),
    path("<id:case_id>/follow-ups/<id:follow_up_id>/<slug:decision>/", views.follow_up_decide, name="follow_up"),
    path("<id:case_id>/reporter-phone/", views.event_reveal_phone, name="reveal_phone"),
    path("settings/", views.county_settings, name="settings"),
]
