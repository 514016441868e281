from django.urls import path

from . import views

app_name = "topics_public"
urlpatterns = [
    path("", views.public_list, name="list"),
    path("<id:pk>/", views.public_detail, name="detail"),
]
