# Two commands on a fresh machine: `make run` (demo on http://127.0.0.1:8000) and `make test` (the whole suite).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
export DJANGO_SETTINGS_MODULE ?= config.settings

.PHONY: run test lint messages migrate demo bench test-postgres system-deps clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $(STAMP)

# Debian packages: gettext (msgfmt compiles the translations), DejaVu fonts (Vietnamese in PDFs),
# chromium (end-to-end tests). Installed when missing; CI and fresh machines run as root.
APT_PACKAGES := gettext fonts-dejavu-core chromium
system-deps:
	@missing=""; command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing="$$missing fonts-dejavu-core"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi

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

test: messages lint
	DJANGO_DEBUG=true $(PY) manage.py makemigrations --check --dry-run
	DJANGO_DEBUG=true $(PY) manage.py check
	$(PY) -m pytest

bench: messages
	$(PY) -m bench.run

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles test-results
