from django.urls import path

from directory.views import review

urlpatterns = [
    path("", review.review_queue, name="review_queue"),
]
