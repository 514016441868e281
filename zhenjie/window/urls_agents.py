"""Agent-point pages. `urlpatterns` goes under /window/ (names in the `window` namespace);
`public_urlpatterns` under /public/agent-points/ (namespace `window_public`, no login)."""

from django.urls import path

from . import views_agents as views

urlpatterns = [
    path("points/", views.point_list, name="agent_points"),
    path("points/new/", views.point_new, name="agent_point_new"),
    path("points/settings/", views.carry_days, name="agent_point_settings"),
    path("points/mine/", views.agent_home, name="agent_home"),
    path("points/<id:pk>/", views.point_detail, name="agent_point"),
    path("points/<id:pk>/edit/", views.point_edit, name="agent_point_edit"),
    path("points/<id:pk>/roster/", views.point_roster, name="agent_point_roster"),
    path("points/<id:pk>/handover/", views.point_handover, name="agent_point_handover"),
    path("points/<id:pk>/items/", views.point_item, name="agent_point_item"),
]

public_urlpatterns = [
    path("", views.public_index, name="agent_points"),
    path("<str:code>/", views.public_township, name="agent_points_township"),
]
