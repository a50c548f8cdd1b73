from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("login/code/", views.sign_in_code, name="login-code"),
    path("login/passkey/options/", views.passkey_sign_in_options, name="passkey-sign-in-options"),
    path("login/passkey/", views.passkey_sign_in, name="passkey-sign-in"),
    path("login/sso/", views.sso_start, name="sso"),
    path("login/sso/callback/", views.sso_callback, name="sso-callback"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
