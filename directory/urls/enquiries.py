from django.urls import path

from directory.views import enquiries

urlpatterns = [
    path("", enquiries.enquiry_list, name="enquiry_list"),
    path("<int:enquiry_id>/", enquiries.enquiry_detail, name="enquiry_detail"),
]
