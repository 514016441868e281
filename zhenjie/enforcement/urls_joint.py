"""Joint operations' pages, under /enforcement/joint/ (namespace `enforcement_joint`)."""

from django.urls import path

from . import joint_views as views

app_name = "enforcement_joint"

urlpatterns = [
    path("", views.operation_list, name="list"),
    path("new/", views.operation_new, name="new"),
    path("<id:pk>/", views.operation_detail, name="detail"),
    path("<id:pk>/parts/<id:participant_id>/", views.record, name="record"),
    path("<id:pk>/finish/", views.close, {"how": "finish"}, name="finish"),
    path("<id:pk>/cancel/", views.close, {"how": "cancel"}, name="cancel"),
]
