from django.urls import path

from zhenjie.workbench.kit import act

from . import urls_agents, urls_decision, urls_figures, views

app_name = "window"
urlpatterns = [
    path("", views.application_list, name="home"),
    path("queue/", views.queue, name="queue"),
    path("new/", views.new, name="new"),
    path("new/<id:item_id>/", views.new_for_item, name="new_item"),
    path("<id:case_id>/", views.detail, name="detail"),
    path("<id:case_id>/scans/<id:attachment_id>/", views.scan, name="scan"),
    *urls_decision.urlpatterns,  # decision, hand-over, the county's window settings
    *urls_agents.urlpatterns,  # village agent points
    *urls_figures.urlpatterns,  # the figures the assessment reads
    # The kit's act view last: its <slug> would take the parts' own paths (decision/ …).
    path("<id:case_id>/<slug:transition>/", act, {"kind": "applications"}, name="act"),
]
