from django.urls import path

from . import views

urlpatterns = [
    path("ical/company/<str:token>.ics", views.company_feed, name="ical-company"),
    path("ical/machine/<str:token>.ics", views.machine_feed, name="ical-machine"),
    path("profile/", views.profile, name="profile"),
    path("profile/messages/", views.message_preferences, name="message-preferences"),
    path(
        "profile/companies/<int:pk>/ical-token/",
        views.company_feed_regenerate,
        name="company-feed-regenerate",
    ),
    path(
        "profile/machines/<int:pk>/ical-token/",
        views.machine_feed_regenerate,
        name="machine-feed-regenerate",
    ),
]
