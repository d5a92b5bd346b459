from django.contrib import admin
from django.urls import include, path
from viewflow.contrib.auth import AuthViewset

from config.health import healthz

# viewflow's own pages (its Material "workflow" application under /tasks/review/) are not mounted: the task
# list, a task's page and the procedure chart are the project's pages (web/views/tasks.py, under /tasks/ and
# /reviews/<pk>/procedure/), in the site's layout and language. Only viewflow's login views are used (accounts/).
urlpatterns = [
    path("healthz", healthz, name="healthz"),  # load balancers and monitoring (config/health.py)
    # Login, logout, password change and reset by e-mail (templates/registration/; login throttled by django-axes).
    path("accounts/", AuthViewset(allow_password_change=True, with_profile_view=False).urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls", namespace="api")),
    path("compliance/", include("web.compliance.urls")),
    path("", include("web.urls")),
]

handler404 = "api.errors.not_found"
handler500 = "api.errors.server_error"
