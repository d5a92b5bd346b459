from django.contrib import admin
from django.urls import include, path
from viewflow.contrib.auth import AuthViewset
from viewflow.urls import Site

from config.health import healthz
from workflows.flows import ReviewFlow
from workflows.views import ReviewFlowAppViewset

site = Site(title="Kiểm điểm", viewsets=[ReviewFlowAppViewset(ReviewFlow, icon="assignment")])

urlpatterns = [
    path("healthz", healthz, name="healthz"),  # load balancers and monitoring (config/health.py)
    # Login, logout, password change and reset by e-mail (templates/registration/; login throttled by django-axes).
    path("accounts/", AuthViewset(allow_password_change=True, with_profile_view=False).urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls", namespace="api")),
    path("tasks/", site.urls),
    path("compliance/", include("web.compliance.urls")),
    path("", include("web.urls")),
]

handler404 = "api.errors.not_found"
handler500 = "api.errors.server_error"
