from django.urls import path

from . import portal_views

app_name = "window_public"
urlpatterns = [
    path("", portal_views.home, name="home"),
    path("apply/<str:township_code>/<id:item_id>/", portal_views.apply, name="apply"),
    path("mine/<id:case_id>/", portal_views.mine, name="mine"),
    path("track/", portal_views.track, name="track"),
]
