from django.urls import path

from directory.review import views as review

urlpatterns = [
    path("", review.review_queue, name="review_queue"),
    path("credentials/<int:pk>/", review.review_credential, name="review_credential"),
    path("credentials/<int:pk>/verify/", review.verify_credential, name="review_verify"),
    path("credentials/<int:pk>/reject/", review.reject_credential, name="review_reject"),
    path("credentials/<int:pk>/recheck/", review.recheck_credential, name="review_recheck"),
    path("concerns/<int:pk>/resolve/", review.resolve_concern, name="review_resolve_concern"),
    path("profiles/<int:pk>/name/", review.decide_name, name="review_decide_name"),
    path("profiles/", review.profile_list, name="review_profiles"),
    path("profiles/<int:pk>/", review.review_profile, name="review_profile"),
    path("profiles/<int:pk>/suspend/", review.suspend_profile, name="review_suspend"),
    path("profiles/<int:pk>/reinstate/", review.reinstate_profile, name="review_reinstate"),
]
