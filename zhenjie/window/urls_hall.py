"""The hall's pages, to be included under /window/ (app namespace window_hall)."""

from django.urls import path

from . import views_hall

app_name = "window_hall"
urlpatterns = [
    path("hall/", views_hall.hall_home, name="home"),
    path("hall/<id:pk>/", views_hall.centre, name="centre"),
    path("hall/<id:pk>/screen/", views_hall.screen, name="screen"),
    path("hall/<id:pk>/screen/data/", views_hall.screen_data, name="screen_data"),
    path("hall/<id:pk>/kiosk/", views_hall.kiosk, name="kiosk"),
    path("hall/counter/<id:pk>/", views_hall.desk, name="desk"),
]
