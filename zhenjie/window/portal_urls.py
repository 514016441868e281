from django.urls import include, path

from . import portal_views, urls_agents, urls_decision_public, urls_hall, views_collection

app_name = "window_public"
urlpatterns = [
    path("", portal_views.home, name="home"),
    path("apply/<str:township_code>/<id:item_id>/", portal_views.apply, name="apply"),
    path("mine/<id:case_id>/", portal_views.mine, name="mine"),
    path("mine/<id:case_id>/collection/", views_collection.change_mine, name="collection"),
    path("track/", portal_views.track, name="track"),
    *urls_decision_public.urlpatterns,  # the applicant rates by number and code
    path("points/", include(urls_agents.public_urlpatterns)),  # agent points, their hours and items
    *urls_hall.public_urlpatterns,  # a citizen's hall bookings, the hall's unattended screen
]
