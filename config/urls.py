from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.contrib.admin import AdminSite
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from accounts import views as account_views
from directory import robots
from directory.permissions import signed_in_with_second_factor
from directory.views import site

# The admin login goes through allauth, so it asks for the second factor,
# and a password-only session from elsewhere on the site does not open it.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.has_permission = lambda request: (
    AdminSite.has_permission(admin.site, request) and (signed_in_with_second_factor(request))
)
admin.site.site_header = "Oncology Massage Directory administration"

urlpatterns = [
    path("", site.home, name="home"),
    path("healthz", site.healthz, name="healthz"),
    # Before allauth's own: staff add their first authenticator only through an enrolment link.
    path("accounts/2fa/totp/activate/", account_views.activate_authenticator, name="mfa_activate_totp"),
    path("accounts/2fa/enrol/<str:token>/", account_views.enrolment_link, name="mfa_enrolment_link"),
    path("robots.txt", robots.robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemap, {"sitemaps": robots.SITEMAPS}, name="sitemap"),
    path("accounts/", include("allauth.urls")),
    path("guides/", include("guides.urls")),
    path("dashboard/enquiries/", include("directory.urls.enquiries")),
    path("dashboard/", include("directory.urls.dashboard")),
    path("review/", include("directory.urls.review")),
    path("api/v1/", include("directory.urls.api")),
    path("", include("directory.urls.public")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "directory.views.site.page_not_found"
handler500 = "directory.views.site.server_error"
