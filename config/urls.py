from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from config import api
from config.health import healthz

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
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
