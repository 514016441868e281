"""The hall's pages, to be included under /window/ (app namespace window_hall)."""

from django.urls import path

from . import views_hall, views_hall_booking, views_hall_settings

app_name = "window_hall"
urlpatterns = [
    path("hall/", views_hall.hall_home, name="home"),
    path("hall/<id:pk>/", views_hall.centre, name="centre"),
    path("hall/<id:pk>/screen/", views_hall.screen, name="screen"),
    path("hall/<id:pk>/screen/data/", views_hall.screen_data, name="screen_data"),
    path("hall/<id:pk>/kiosk/", views_hall.kiosk, name="kiosk"),
    path("hall/counter/<id:pk>/", views_hall.desk, name="desk"),
    path("hall/ticket/<id:pk>/requeue/", views_hall.requeue, name="requeue"),
    # the centre's settings (AB岗, 错时服务, 节假日轮班, slots, screen links)
    path("hall/<id:pk>/settings/", views_hall_settings.settings, name="settings"),
    path("hall/<id:pk>/counters/new/", views_hall_settings.counter_new, name="counter_new"),
    path("hall/counter/<id:pk>/edit/", views_hall_settings.counter_edit, name="counter_edit"),
    path("hall/<id:pk>/hours/<weekday:weekday>/", views_hall_settings.weekday_hours, name="weekday_hours"),
    path("hall/<id:pk>/duties/", views_hall_settings.duty_add, name="duty_add"),
    path("hall/duty/<id:pk>/remove/", views_hall_settings.duty_remove, name="duty_remove"),
    path("hall/<id:pk>/slots/new/", views_hall_settings.slot_new, name="slot_new"),
    path("hall/slot/<id:pk>/edit/", views_hall_settings.slot_edit, name="slot_edit"),
    path("hall/<id:pk>/screen-links/", views_hall_settings.screen_link_issue, name="screen_link_issue"),
    path("hall/screen-link/<id:pk>/revoke/", views_hall_settings.screen_link_revoke, name="screen_link_revoke"),
    # appointments at the centre
    path("hall/<id:pk>/appointments/", views_hall_booking.appointments, name="appointments"),
    path("hall/appointment/<id:pk>/<str:step>/", views_hall_booking.appointment_step, name="appointment_step"),
]

# Under /public/window/ (namespace window_public): a citizen's bookings, and the unattended screen.
public_urlpatterns = [
    path("appointments/", views_hall_booking.mine, name="appointments"),
    path("appointments/centre/<id:pk>/", views_hall_booking.book, name="book"),
    path("appointments/<id:pk>/cancel/", views_hall_booking.cancel, name="cancel_appointment"),
    path("hall/screen/<str:token>/", views_hall_booking.public_screen, name="hall_screen"),
    path("hall/screen/<str:token>/data/", views_hall_booking.public_screen_data, name="hall_screen_data"),
]
