from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from config import api
from config.health import healthz

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    # One sign-in page for everyone, staff included: the password, then the second factor.
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="login", query_string=True),
        name="admin-login",
    ),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("", include("accounts.urls")),
    path("", include("bookings.urls")),
    path("", include("web.urls")),
    *api.urlpatterns(),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
