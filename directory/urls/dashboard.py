from django.urls import path

from directory.dashboard import views as dashboard
from directory.views import evidence

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("profile/", dashboard.profile_edit, name="profile_edit"),
    path("submit/", dashboard.submit, name="profile_submit"),
    path("account/delete/", dashboard.account_delete, name="account_delete"),
    path("locations/add/", dashboard.location_add, name="location_add"),
    path("locations/<int:pk>/", dashboard.location_edit, name="location_edit"),
    path("locations/<int:pk>/remove/", dashboard.location_remove, name="location_remove"),
    path("credentials/add/", dashboard.credential_add, name="credential_add"),
    path("credentials/<int:pk>/", dashboard.credential_edit, name="credential_edit"),
    path("credentials/<int:pk>/remove/", dashboard.credential_remove, name="credential_remove"),
    path("credentials/<int:pk>/withdraw/", dashboard.credential_withdraw, name="credential_withdraw"),
    path("credentials/<int:pk>/evidence/", evidence.credential_evidence, name="credential_evidence"),
]
