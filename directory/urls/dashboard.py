from django.urls import path

from directory.views import dashboard

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
]
