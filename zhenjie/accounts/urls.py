from django.contrib.auth.decorators import login_required
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", login_required(views.ChangePasswordView.as_view()), name="password_change"),
    path("otp/verify/", views.otp_verify_view, name="otp_verify"),
    path("otp/", views.otp_enrol_view, name="otp_enrol"),
]
