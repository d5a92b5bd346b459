# Two commands on a fresh machine: `make run` (demo on http://127.0.0.1:8000) and `make test` (the whole suite).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed


.PHONY: run run-scaled serve test lint messages migrate demo bench test-postgres test-scaled system-deps browser-deps clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $(STAMP)

# Debian packages, installed when missing (CI and fresh machines run as root): gettext (msgfmt compiles
# the translations) and DejaVu fonts (Vietnamese in PDFs); chromium only for the end-to-end tests.
define apt_ensure
	@if ! $(1); then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null; fi
endef

system-deps:
	$(call apt_ensure,command -v msgfmt >/dev/null,gettext)
	$(call apt_ensure,test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf,fonts-dejavu-core)
	$(call apt_ensure,test -f /usr/share/fonts/truetype/freefont/FreeSerif.ttf,fonts-freefont-ttf)

browser-deps:
	$(call apt_ensure,command -v chromium >/dev/null,chromium)

messages: $(STAMP) system-deps
	DJANGO_DEBUG=true $(PY) manage.py compilemessages --ignore=.venv -v 0

migrate: $(STAMP)
	DJANGO_DEBUG=true $(PY) manage.py migrate --no-input -v 0

demo: migrate
	DJANGO_DEBUG=true $(PY) manage.py seed_demo

# Served as in production (debug off: the site's own 403/404/500 pages, an enforced content security policy) but
# over plain http on this machine: a secret key generated once into the ignored file .local-secret, no https
# redirect, no secure-only cookies, no HSTS, no proxy headers trusted; --insecure serves the static files.
# The audit trail's HMAC key stays the one `make demo` (debug on, no key) chained the demo's events with.
LOCAL_SECRET := .local-secret
$(LOCAL_SECRET):
	@umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

run: messages demo $(LOCAL_SECRET)
	@echo "Serving http://127.0.0.1:8000 — log in with one of the demo logins above."
	DJANGO_DEBUG=false DJANGO_SECRET_KEY_FILE=$(LOCAL_SECRET) DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost \
		SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false SECURE_HSTS_SECONDS=0 \
		TRUST_X_FORWARDED_PROTO=false TRUST_X_FORWARDED_FOR=false \
		AUDIT_HMAC_KEY="$$(DJANGO_DEBUG=true DJANGO_SECRET_KEY= DJANGO_SECRET_KEY_FILE= AUDIT_HMAC_KEY= \
			$(PY) -c 'from config import settings; print(settings.AUDIT_HMAC_KEY)')" \
		$(PY) manage.py runserver --insecure 127.0.0.1:8000

# The production server: gunicorn (gunicorn.conf.py, GUNICORN_* in .env.example) on 127.0.0.1:8000 behind the TLS
# proxy, static files collected into STATIC_ROOT and served by WhiteNoise. Needs the production environment
# (DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL or DB_*, …) and a migrated database; GET /healthz to check.
serve: messages
	DJANGO_DEBUG=false $(PY) manage.py collectstatic --no-input -v 0
	DJANGO_DEBUG=false GUNICORN_BIND=$${GUNICORN_BIND:-127.0.0.1:8000} $(VENV)/bin/gunicorn -c gunicorn.conf.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

test: messages lint browser-deps
	DJANGO_DEBUG=true $(PY) manage.py makemigrations --check --dry-run
	DJANGO_DEBUG=true $(PY) manage.py check
	# The production settings pass Django's deployment checklist (a throw-away 50-character key).
	DJANGO_SETTINGS_MODULE=config.settings DJANGO_DEBUG=false DJANGO_ALLOWED_HOSTS=example.org \
		DJANGO_SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		$(PY) manage.py check --deploy --fail-level WARNING
	$(PY) -m pytest
	$(MAKE) test-postgres
	$(MAKE) test-scaled

# The whole suite again on a local PostgreSQL (scripts/postgres-up.sh; the settings take its DATABASE_URL),
# connected as the owner role (it creates the test database and runs the migrations); the application role
# (DB_APP_ROLE, granted its rights after migrate) is tried on a second connection by tests/compliance/test_tamper.py.
# Left out: the browser tests (`e2e`), which serve the demo from a SQLite file of their own, so they would test
# SQLite again; and the scaled mode (`scaled`, `make test-scaled`). Tests that copy or crash a SQLite file
# (tests/ops) skip themselves. One process, as the SQLite run: pytest-xdist is not used (the suite shares
# one test database per run, and the machine has 2 cores).
test-postgres: $(STAMP)
	pg_env="$$(sh scripts/postgres-up.sh)" && eval "$$pg_env" && \
		$(PY) -m pytest --ds=tests.settings -m "not e2e and not scaled" -p no:cacheprovider

# The scaled mode end to end (tests/scaled/): starts scripts/run-scaled.sh on free ports with a database of its
# own, logs in through the proxy, walks a transition with an API token, waits for the worker to send the
# notification, checks /healthz on both backends and the proxy, and stops it with Ctrl-C (SIGINT).
test-scaled: messages
	$(PY) -m pytest -m scaled -p no:cacheprovider tests/scaled

# PostgreSQL, Redis, one Celery worker with beat, two gunicorns behind haproxy on http://127.0.0.1:8080 (README,
# "Scaled mode"); Ctrl-C stops everything. Installs redis-server and haproxy when missing.
run-scaled: messages
	bash scripts/run-scaled.sh

# Every figure of issue 14 side by side in one run (bench/run.py): the transition against the floor (SQLite and
# PostgreSQL), the lists at 10,000 reviews, the bulk audit, and locust against the scaled mode. Writes
# bench/results.json and bench/README.md's table; about half an hour on 2 cores. Needs root for PostgreSQL,
# Redis and haproxy (installed when missing), like `make run-scaled`.
bench: messages
	$(PY) -m bench.run

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles test-results
