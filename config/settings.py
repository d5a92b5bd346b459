"""Settings for the annual review engine.

One module, driven by environment variables (documented in `.env.example`).
SQLite is the embedded default; set DATABASE_URL-style variables for PostgreSQL.
"""

import json
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from config.env import env, env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY")
# Serving without a configured key is refused in config/wsgi.py and config/asgi.py; management commands
# (migrate, makemigrations, import_directory …) get a throw-away key so they run without one.
SECRET_KEY_CONFIGURED = bool(SECRET_KEY)
if not SECRET_KEY:
    import secrets

    SECRET_KEY = "insecure-development-key-only-for-debug" if DEBUG else secrets.token_urlsafe(50)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "guardian",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "viewflow",
    "viewflow.workflow",
    "permissions",
    "web",
    "review_process",
    "workflows",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "workflows.middleware.ReviewProcessVisibilityMiddleware",
    "viewflow.middleware.SiteMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DB_ENGINE = env("DB", "sqlite")
if DB_ENGINE == "postgres":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": env("DB_NAME", "review_engine"),
            "USER": env("DB_USER", "postgres"),
            "PASSWORD": env("DB_PASSWORD"),
            "HOST": env("DB_HOST", ""),
            "PORT": env("DB_PORT", ""),
            "CONN_MAX_AGE": env_int("DB_CONN_MAX_AGE", 0),
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env("DB_NAME", str(BASE_DIR / "db.sqlite3")),
            # IMMEDIATE: writers take the write lock at BEGIN, so concurrent transitions queue instead of failing.
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }

AUTH_USER_MODEL = "permissions.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
GUARDIAN_GET_INIT_ANONYMOUS_USER = "permissions.models.get_anonymous_user_instance"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "_vendor"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
REVIEW_ATTACHMENT_MAX_BYTES = env_int("REVIEW_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "kiem-diem@localhost")

VIEWFLOW = {"AUTOREGISTER": False}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Annual review engine API",
    "DESCRIPTION": "Collective self-review (kiểm điểm tập thể) of party organisations: every action a person can take.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "RatingEnum": "review_process.models.Rating",
        "ReviewStateEnum": "review_process.models.ReviewState",
        "ReviewKindEnum": "review_process.models.ReviewKind",
        "OrganizationKindEnum": "permissions.models.OrganizationKind",
        "ChannelEnum": "review_process.models.OpinionChannel",
        "ResponseDecisionEnum": "review_process.models.ResponseDecision",
    },
}

# Procedure parameters that the regulations do not fix (domain-rules.md marks them [U]).
# Each may be overridden per regime year range in REVIEW_REGIME_OVERRIDES.
REVIEW_DRAFT_NOTICE_DAYS = env_int("REVIEW_DRAFT_NOTICE_DAYS", 3)
REVIEW_CONFERENCE_DEADLINE = env("REVIEW_CONFERENCE_DEADLINE", "12-15")  # MM-DD of the review year (Hà Nội plan)
REVIEW_FINALIZE_DAYS = env_int("REVIEW_FINALIZE_DAYS", 7)
REVIEW_NOTIFY_DAYS = env_int("REVIEW_NOTIFY_DAYS", 15)
REVIEW_ATTENDANCE_QUORUM = env("REVIEW_ATTENDANCE_QUORUM", "0.5")  # fraction that must be *exceeded*
# Per-regime overrides of the parameters above and of the unverified rules (review_process/regimes.py), as JSON:
# {"2019-2022": {"draft_notice_days": 5, "quota_scopes": {"organizations": "group"}}}.
REVIEW_REGIME_OVERRIDES = json.loads(env("REVIEW_REGIME_OVERRIDES", "{}"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}

if env_bool("DJANGO_SECURE", default=not DEBUG):
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=False)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=False)
