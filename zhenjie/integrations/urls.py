from django.urls import path

from . import views

app_name = "integrations"
urlpatterns = [
    path("keys/", views.keys_page, name="keys"),
    path("hotline/answers/", views.hotline_answers, name="hotline_answers"),
    path("hotline/answers/<id:pk>/resend/", views.hotline_answer_resend, name="hotline_answer_resend"),
    path("hotline/satisfaction/", views.hotline_satisfaction, name="hotline_satisfaction"),
    path("hotline/satisfaction/template.xlsx", views.hotline_satisfaction_template, name="hotline_satisfaction_template"),
    path("hotline/", views.hotline_imports, name="hotline_imports"),
    path("hotline/template.xlsx", views.hotline_template, name="hotline_template"),
    path("hotline/<id:pk>/", views.hotline_import_detail, name="hotline_import"),
    path("hotline/<id:pk>/progress/", views.hotline_import_progress, name="hotline_import_progress"),
    path("hotline/<id:pk>/errors.xlsx", views.hotline_import_errors, name="hotline_import_errors"),
]
