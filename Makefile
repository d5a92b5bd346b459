# Two commands on a fresh machine: `make run` (demo on http://127.0.0.1:8000) and `make test` (the whole suite).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed


.PHONY: run test lint messages migrate demo bench test-postgres system-deps browser-deps clean

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

run: messages demo
	@echo "Serving http://127.0.0.1:8000 — log in with one of the demo logins above."
	DJANGO_DEBUG=true $(PY) manage.py runserver 127.0.0.1:8000

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

# The tests marked `postgres` (audit-trail tamper tests, compliance) again on a local PostgreSQL, connected as
# the owner role (it creates the test database and runs the migrations); the application role (DB_APP_ROLE, granted
# its rights after migrate) is tried on a second connection by tests/compliance/test_tamper.py.
test-postgres: $(STAMP)
	pg_env="$$(sh scripts/postgres-up.sh)" && eval "$$pg_env" && $(PY) -m pytest --ds=tests.settings -m postgres -p no:cacheprovider

bench: messages
	$(PY) -m bench.run

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles test-results
