"""Settings for the annual review engine.

One module, driven by environment variables (documented in `.env.example`).
SQLite is the embedded default; set DATABASE_URL-style variables for PostgreSQL.
"""

import hashlib
import json
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
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
    "axes",
    "csp",
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
    # Serves the collected static files (STATIC_ROOT) itself, before the rest of the stack.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Vietnamese unless the person chose English with the header's switch (Accept-Language ignored on pages).
    "config.language.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "workflows.middleware.ReviewProcessVisibilityMiddleware",
    "viewflow.middleware.SiteMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the lockout response.
    "axes.middleware.AxesMiddleware",
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

# DATABASE_URL (postgres://user:password@host:5432/name or sqlite:////absolute/path.sqlite3), when set, selects
# the database; otherwise DB (sqlite, the embedded default, or postgres) with the DB_* variables.
DATABASE_URL = env("DATABASE_URL")
DB_ENGINE = env("DB", "sqlite")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))}
elif DB_ENGINE == "postgres":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": env("DB_NAME", "review_engine"),
            # Never the superuser by default: migrations run as the owner role, the server as DB_APP_ROLE.
            "USER": env("DB_USER", "review_engine"),
            "PASSWORD": env("DB_PASSWORD"),
            "HOST": env("DB_HOST", ""),
            "PORT": env("DB_PORT", ""),
            "CONN_MAX_AGE": env_int("DB_CONN_MAX_AGE", 0),
        }
    }
else:
    DATABASES = {
        "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": env("DB_NAME", str(BASE_DIR / "db.sqlite3"))}
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        # IMMEDIATE: writers take the write lock at BEGIN, so concurrent transitions queue instead of failing.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # WAL: readers do not block the writer (nor it them); FULL: a committed transaction survives a power
        # loss. Run on every new connection; an in-memory database (the tests) keeps its own journal mode.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
    }
# PostgreSQL: no JIT compilation by default (DB_JIT=on to allow it). The application runs short statements; the
# planner's estimate for a permission subquery over every review could cross jit_above_cost and spend 70 ms
# compiling a query that runs in 20 (bench/README.md, "Lists at 10,000 reviews").
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "options": f"-c jit={'on' if env('DB_JIT', 'off') == 'on' else 'off'}",
    }
# PostgreSQL, optional: server-side prepared statements (psycopg 3). A statement run DB_PREPARE_THRESHOLD times on
# one connection is then prepared once and only executed; it needs server-side parameter binding, and pays off
# with persistent connections (DB_CONN_MAX_AGE). bench/transition.py measures it (--prepare-threshold).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env("DB_PREPARE_THRESHOLD"):
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "server_side_binding": True,
        "prepare_threshold": env_int("DB_PREPARE_THRESHOLD", 5),
    }

# PostgreSQL: the role the application connects as when serving. It owns nothing; after every migrate (run as
# the owner role) it is granted SELECT/INSERT/UPDATE/DELETE on the application's tables but only SELECT/INSERT
# on the audit events and SELECT/INSERT/UPDATE on the chain head (review_process grant_app_role, post_migrate).
DB_APP_ROLE = env("DB_APP_ROLE")

AUTH_USER_MODEL = "permissions.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out login before any backend checks the password (django-axes).
    "config.throttling.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
GUARDIAN_GET_INIT_ANONYMOUS_USER = "permissions.models.get_anonymous_user_instance"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 24 * 60 * 60)  # seconds a reset link stays valid

# Sessions end when the browser closes, and in any case SESSION_COOKIE_AGE seconds after the last change.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Login throttling (django-axes): AXES_FAILURE_LIMIT failed logins for one login name from one address lock that
# pair out for AXES_COOLOFF_MINUTES; a successful login resets the count. Pages get a translated page, the API
# its error shape (config/throttling.py).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "config.throttling.lockout_response"
AXES_CLIENT_IP_CALLABLE = "config.throttling.client_ip"

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
# An API token older than this many days is refused (api/authentication.py).
API_TOKEN_TTL_DAYS = env_int("API_TOKEN_TTL_DAYS", 90)

LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
# Vietnamese unless a person chooses English (config/language.py); DJANGO_LANGUAGE_CODE=en for English command output.
LANGUAGE_CODE = env("DJANGO_LANGUAGE_CODE") if env("DJANGO_LANGUAGE_CODE") in {"vi", "en"} else "vi"
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "_vendor"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT") or BASE_DIR / "staticfiles")  # filled by `manage.py collectstatic`
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
# Without debug, WhiteNoise serves STATIC_ROOT: compressed copies and hashed names (cached for good by browsers),
# so collectstatic runs before serving (`make serve`; config/staticfiles.py). With debug (tests) the plain storage.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "config.staticfiles.StaticFilesStorage"
    },
}
# With debug (the tests too, where Django turns DEBUG off at run time), WhiteNoise looks files up per request
# instead of indexing STATIC_ROOT once at start, which need not exist then.
WHITENOISE_AUTOREFRESH = DEBUG
# Report attachments are private: stored outside any public URL and served only through the review's
# attachment view, which checks the review's permission (review_process.attachments). Nothing serves MEDIA_URL.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT") or BASE_DIR / "private-media")
# Request bodies other than files (form fields, JSON): the longest report text is 200 000 characters.
DATA_UPLOAD_MAX_MEMORY_SIZE = 4 * 1024 * 1024
# Uploaded files larger than this are spooled to a temporary file on disk instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# An attachment over REVIEW_ATTACHMENT_MAX_BYTES is dropped while it streams in, before it is stored.
FILE_UPLOAD_HANDLERS = [
    "review_process.attachments.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Checked while the attachment is read, in chunks: reading stops at the limit (attachment_too_large).
REVIEW_ATTACHMENT_MAX_BYTES = env_int("REVIEW_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "kiem-diem@localhost")
# The site's address, for links in e-mails (workflows.notifications).
SITE_URL = env("SITE_URL") or "http://127.0.0.1:8000"

VIEWFLOW = {"AUTOREGISTER": False}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ExpiringTokenAuthentication",
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
        "ExportStatusEnum": "workflows.models.ExportStatus",
        "FindingStatusEnum": ["pass", "fail", "not_applicable"],
    },
}

# Procedure parameters that the regulations do not fix (domain-rules.md marks them [U]).
# Each may be overridden per regime year range in REVIEW_REGIME_OVERRIDES.
REVIEW_DRAFT_NOTICE_DAYS = env_int("REVIEW_DRAFT_NOTICE_DAYS", 3)
REVIEW_CONFERENCE_DEADLINE = env("REVIEW_CONFERENCE_DEADLINE", "12-15")  # MM-DD of the review year (Hà Nội plan)
REVIEW_FINALIZE_DAYS = env_int("REVIEW_FINALIZE_DAYS", 7)
REVIEW_NOTIFY_DAYS = env_int("REVIEW_NOTIFY_DAYS", 15)
REVIEW_ATTENDANCE_QUORUM = env("REVIEW_ATTENDANCE_QUORUM", "0.5")  # fraction that must be *exceeded*
# Home page tasks (review_process/selectors/tasks.py). Assumption: no text found fixes when the remedial plan is due;
# the secretary is asked to file it within this many days of the approval. The notification is due
# REVIEW_NOTIFY_DAYS after the approval (the regime's notify_days, the day the compliance report judges).
REMEDIAL_PLAN_DUE_DAYS = env_int("REMEDIAL_PLAN_DUE_DAYS", 30)
# Per-regime overrides of the parameters above and of the unverified rules (review_process/regimes.py), as JSON:
# {"2019-2022": {"draft_notice_days": 5, "quota_scopes": {"organizations": "group"}}}.
REVIEW_REGIME_OVERRIDES = json.loads(env("REVIEW_REGIME_OVERRIDES", "{}"))

# The audit trail's hash chain is an HMAC-SHA256 keyed with this (docs/compliance.md). Never stored in the
# database; without it, edited events cannot be re-hashed. Derived from SECRET_KEY when not set (development).
AUDIT_HMAC_KEY = env("AUDIT_HMAC_KEY") or (
    hashlib.sha256(f"audit-trail-hmac:{SECRET_KEY}".encode()).hexdigest() if SECRET_KEY_CONFIGURED or DEBUG else ""
)
# Where manage.py anchor_audit_trail appends the chain's head (JSON lines) and verify_audit_trail reads it back.
# Keep it outside the database, ideally on another machine or write-once storage.
AUDIT_ANCHOR_FILE = env("AUDIT_ANCHOR_FILE") or str(BASE_DIR / "audit-anchors.jsonl")

# Background work (config/celery.py, workflows/tasks.py; docs/operations.md, "Background work"). With a broker
# (redis://127.0.0.1:6379/0) the outbox's messages, exports and the scheduled jobs run in `celery -A config worker
# -B`; without one (the default, `make run`) every task runs inline, in the process that asks for it.
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# Without a broker nothing runs the beat schedule: events are sealed into the global audit chain right after
# each commit, in the committing process (review_process.audit); with one, by the `seal_audit_trail` beat task.
AUDIT_SEAL_AFTER_COMMIT = env_bool("AUDIT_SEAL_AFTER_COMMIT", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = False  # inline, a failed task is logged by its caller, never raised into a request
CELERY_TASK_IGNORE_RESULT = True  # results live in the database (outbox, AuditVerification, ExportJob)
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # the LOGGING below stays in charge
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Sending a task after a commit gives up quickly when the broker is down: the outbox's sweep sends it later.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_BEAT_SCHEDULE_FILENAME = env("CELERY_BEAT_SCHEDULE_FILENAME") or str(BASE_DIR / "celerybeat-schedule")
_MINUTE, _HOUR, _DAY = 60.0, 3600.0, 86400.0
CELERY_BEAT_SCHEDULE = {
    "deliver-outbox": {"task": "workflows.deliver_outbox", "schedule": _MINUTE},
    "sweep-outbox": {"task": "workflows.sweep_outbox", "schedule": _MINUTE},
    "seal-audit-trail": {"task": "workflows.seal_audit_trail", "schedule": _MINUTE},
    "verify-audit-trail": {"task": "workflows.verify_audit_trail", "schedule": _HOUR},
    "anchor-audit-trail": {"task": "workflows.anchor_audit_trail", "schedule": _HOUR},
    "sync-grants": {"task": "workflows.sync_grants", "schedule": _DAY},
}
# The outbox (workflows/outbox.py): a failed delivery is retried after OUTBOX_RETRY_SECONDS, doubling each time up
# to OUTBOX_RETRY_MAX_SECONDS, at most OUTBOX_MAX_ATTEMPTS times; a claim older than OUTBOX_CLAIM_SECONDS (its
# process died) is taken over by the sweep.
OUTBOX_RETRY_SECONDS = env_int("OUTBOX_RETRY_SECONDS", 60)
OUTBOX_RETRY_MAX_SECONDS = env_int("OUTBOX_RETRY_MAX_SECONDS", 3600)
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 10)
OUTBOX_CLAIM_SECONDS = env_int("OUTBOX_CLAIM_SECONDS", 300)

# One console handler, on the root logger: every line once. Django's own "django" logger loses its default
# handlers (they would print its warnings a second time) and propagates to the root; "django.server" (runserver's
# request lines) keeps its own. An ordinary 4xx (403 PermissionDenied …) is one line, without a traceback.
LOG_LEVEL = env("LOG_LEVEL", "WARNING")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_traceback_below_500": {"()": "config.log_filters.NoTracebackBelow500"}},
    "formatters": {
        "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["no_traceback_below_500"]},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}

# Deployment: HTTPS only, behind a TLS-terminating reverse proxy that sets X-Forwarded-Proto and appends the
# client's address to X-Forwarded-For (README, "Security"). `manage.py check --deploy` passes with these.
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])  # e.g. https://kiemdiem.example.org
TRUST_X_FORWARDED_PROTO = env_bool("TRUST_X_FORWARDED_PROTO", default=not DEBUG)
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", default=TRUST_X_FORWARDED_PROTO)
if TRUST_X_FORWARDED_PROTO:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG:
    # Both stay on in production; `make run` (plain http on 127.0.0.1) turns them off.
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer's health check may come over plain HTTP
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)

# Content security policy (django-csp): everything from this origin; no inline script or <style> without the
# request's nonce (templates write nonce="{{ request.csp_nonce }}"); style attributes are allowed (the overview's
# indentation, viewflow's pages); images also as data: URIs (viewflow's and Swagger UI's icons). Enforced with
# debug off, reported only with debug on (Django's debug pages use inline scripts).
# Two fixed <style> blocks of viewflow 2.4's pages under /tasks/, allowed by their hash: the progress bar that
# Turbo adds, and the process chart (viewflow/workflow/graph.svg). Re-check both when upgrading viewflow.
_VIEWFLOW_STYLES = [
    "'sha256-WAyOw4V+FqDc35lQPyRADLBWbuNK8ahvYEaQIYF1+Ps='",
    "'sha256-M8YLp52BurxPpYt0Cgj1yb0uSRNVQeG6qA/8hDfuLCo='",
]
_CSP = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE, *_VIEWFLOW_STYLES],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if DEBUG:
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP
