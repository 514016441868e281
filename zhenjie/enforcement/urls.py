from django.urls import path

from zhenjie.workbench.kit import act

from . import views

app_name = "enforcement"
urlpatterns = [
    path("", views.case_list, name="home"),
    path("queue/", views.queue, name="queue"),
    path("new/", views.new_lead, name="new"),
    path("<id:case_id>/", views.detail, name="detail"),
    path("<id:case_id>/registration/", views.registration, name="registration"),
    # The kit's act view last: its <slug> would take the pages' own paths.
    path("<id:case_id>/<slug:transition>/", act, {"kind": "enforcement"}, name="act"),
]
