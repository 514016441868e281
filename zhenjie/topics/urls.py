from django.urls import path

from . import views

app_name = "topics"
urlpatterns = [
    path("", views.home, name="home"),
    path("proposals/", views.proposal_list, name="proposals"),
    path("adopt/", views.adopt, name="adopt"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/progress/", views.progress, name="progress"),
    path("<id:pk>/milestones/<id:milestone_pk>/done/", views.milestone_done, name="milestone_done"),
    path("<id:pk>/finish/", views.finish, name="finish"),
]
