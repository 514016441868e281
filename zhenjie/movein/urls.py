from django.urls import path

from . import views

app_name = "movein"
urlpatterns = [
    path("", views.home, name="home"),
    path("runs/<id:pk>/", views.run_page, name="run"),
    path("runs/<id:pk>/errors/", views.error_report, name="errors"),
    path("<slug:code>/", views.kind_page, name="kind"),
    path("<slug:code>/template/", views.template, name="template"),
    path("<slug:code>/export/", views.export, name="export"),
]
