from django.urls import path

from . import views

urlpatterns = [
    path("ical/company/<str:token>.ics", views.company_feed, name="ical-company"),
    path("ical/machine/<str:token>.ics", views.machine_feed, name="ical-machine"),
]
