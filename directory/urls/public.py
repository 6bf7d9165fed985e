from django.urls import path

from directory.views import public

urlpatterns = [
    path("therapists/", public.therapist_search, name="therapist_search"),
    path("therapists/<slug:slug>/", public.therapist_detail, name="therapist_detail"),
    path("therapists/<slug:slug>/enquiry/", public.therapist_enquiry, name="therapist_enquiry"),
    path("therapists/<slug:slug>/enquiry/sent/", public.enquiry_sent, name="enquiry_sent"),
    path("therapists/<slug:slug>/concern/", public.therapist_concern, name="therapist_concern"),
    path("therapists/<slug:slug>/concern/sent/", public.concern_sent, name="concern_sent"),
]
