from django.urls import path

from directory.views import api

urlpatterns = [
    path("therapists/", api.therapist_list, name="api_therapist_list"),
    path("therapists/<slug:slug>/", api.therapist_detail, name="api_therapist_detail"),
]
