# Kata: `make run` serves the app with its Celery worker and beat; `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint format bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Kata needs Python 3.11 or newer ($(PYTHON) is older)."; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py seed_coaching_demo
	@echo
	@echo "  Kata is starting on http://$(HOST):$(PORT)/  (Ctrl-C stops the web server, worker and beat)"
	@echo "  Demo sign-ins (password kata-demo-2026): lena (learner), carlos (coach), maria (manager), victor (viewer), admin (Django admin)"
	@echo
	@trap 'kill 0' INT TERM EXIT; \
	$(VENV)/bin/celery -A kata worker --loglevel=INFO --concurrency=2 & \
	$(VENV)/bin/celery -A kata beat --loglevel=INFO & \
	$(PY) manage.py runserver $(HOST):$(PORT)

test: $(STAMP)
	$(VENV)/bin/pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PY) manage.py makemigrations --check --dry-run

# Scale data (built once), in-process timings against a trivial view, then gunicorn under
# locust; PostgreSQL when DATABASE_URL is set. Results in var/bench/ (see README).
bench: $(STAMP)
	$(PY) -m pip install --quiet -e ".[dev,bench]"
	$(PY) manage.py bench

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache .mypy_cache
