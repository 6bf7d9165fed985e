from django.urls import path

from guides import views

# No app_name: the names are used site-wide ("guide_list", "guide_detail").
urlpatterns = [
    path("", views.guide_list, name="guide_list"),
    path("<slug:slug>/", views.guide_detail, name="guide_detail"),
]
