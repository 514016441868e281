from django.urls import path

from zhenjie.workbench.kit import act

from . import views, views_evidence, views_execution, views_figures

app_name = "enforcement"
urlpatterns = [
    path("", views.case_list, name="home"),
    path("queue/", views.queue, name="queue"),
    path("new/", views.new_lead, name="new"),
    path("<id:case_id>/", views.detail, name="detail"),
    path("<id:case_id>/registration/", views.registration, name="registration"),
    path("<id:case_id>/evidence/", views_evidence.record, name="evidence"),
    path("<id:case_id>/registration-form/", views_evidence.registration_form, name="registration_form"),
    path("<id:case_id>/evidence/<id:evidence_id>/paper/", views_evidence.record_paper, name="record_paper"),
    path("settings/", views_execution.enforcement_settings, name="settings"),  # 执法设置 (county)
    path("figures/", views_figures.figures, name="figures"),  # 执法统计 (part 10)
    # The kit's act view last: its <slug> would take the pages' own paths.
    path("<id:case_id>/<slug:transition>/", act, {"kind": "enforcement"}, name="act"),
]
