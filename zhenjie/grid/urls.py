from django.urls import path

from zhenjie.workbench.kit import act

from .views import grids, ledger, patrols, registers, visitwork

app_name = "grid"
urlpatterns = [
    path("", grids.home, name="home"),
    path("grids/<id:pk>/", grids.grid_detail, name="grid"),
    path("grids/<id:pk>/geojson/", grids.grid_geojson, name="grid_geojson"),
    path("coverage/", grids.coverage, name="coverage"),
    path("coverage/<id:pk>/lead/", grids.set_lead, name="set_lead"),
    path("coverage/<id:pk>/helpers/", grids.add_helper, name="add_helper"),
    path("coverage/stints/<id:pk>/end/", grids.remove_helper, name="remove_helper"),
    path("settings/", grids.settings_page, name="settings"),
    path("photos/<id:pk>/", grids.photo, name="photo"),
    path("residents/", registers.resident_list, name="residents"),
    path("residents/new/", registers.resident_new, name="resident_new"),
    path("residents/<id:pk>/", registers.resident_detail, name="resident"),
    path("residents/<id:pk>/edit/", registers.resident_edit, name="resident_edit"),
    path("residents/<id:pk>/depart/", registers.resident_depart, name="resident_depart"),
    path("buildings/", registers.building_list, name="buildings"),
    path("buildings/new/", registers.building_new, name="building_new"),
    path("buildings/<id:pk>/edit/", registers.building_edit, name="building_edit"),
    path("organisations/", registers.organisation_list, name="organisations"),
    path("organisations/new/", registers.organisation_new, name="organisation_new"),
    path("organisations/<id:pk>/edit/", registers.organisation_edit, name="organisation_edit"),
    path("ledger/", ledger.ledger, name="ledger"),
    path("ledger/new/<id:resident_pk>/", ledger.key_person_new, name="key_person_new"),
    path("ledger/<id:pk>/", ledger.key_person_detail, name="key_person"),
    path("ledger/<id:pk>/edit/", ledger.key_person_edit, name="key_person_edit"),
    path("ledger/<id:pk>/end/", ledger.key_person_end, name="key_person_end"),
    path("ledger/<id:pk>/visit/", ledger.visit_new, name="visit_new"),
    path("visits/", ledger.visit_list, name="visits"),
    path("visit-tasks/<id:case_id>/", visitwork.visit_task, name="visit_task"),
    path("referrals/<id:case_id>/", visitwork.referral_detail, name="referral"),
    path("referrals/<id:case_id>/<slug:transition>/", act, {"kind": "referrals"}, name="referral_act"),
    path("overdue/", ledger.overdue, name="overdue"),
    path("patrol/", patrols.patrol, name="patrol"),
    path("patrol/start/", patrols.patrol_start, name="patrol_start"),
    path("patrol/<id:pk>/finding/", patrols.patrol_finding, name="patrol_finding"),
    path("patrol/<id:pk>/stop/", patrols.patrol_stop, name="patrol_stop"),
    path("patrols/", patrols.patrol_list, name="patrols"),
    path("patrols/<id:pk>/", patrols.patrol_detail, name="patrol_detail"),
    path("patrols/<id:pk>/geojson/", patrols.patrol_geojson, name="patrol_geojson"),
]
