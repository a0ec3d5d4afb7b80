# TEP Marketplace. `make run` starts the platform with demo data; `make test` tests it.
# Both install what is missing first. The logic lives in scripts/; this file only names it.
SHELL := /bin/bash
VENV := .venv
PYTHON := $(VENV)/bin/python
MANAGE := $(PYTHON) manage.py
PYTEST_ARGS ?=

.DEFAULT_GOAL := help

help: ## List the targets
	@echo "TEP Marketplace. Usage: make <target>"
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) \
	  | awk 'BEGIN {FS = ":.*## "}; {printf "  %-18s %s\n", $$1, $$2}'

install: ## Install what is missing (system, Python, npm packages); find or start PostgreSQL and Redis; write .env
	@scripts/bootstrap.sh

run: install ## Set everything up and start web, worker and beat with demo data (PORT=8000)
	@scripts/start.sh

stop: ## Stop what `make run` started (also its own PostgreSQL/Redis under var/)
	@scripts/stop.sh

test: ## Install, then lint, type-check and run the whole test suite (PYTEST_ARGS=... for pytest)
	@scripts/bootstrap.sh --test
	@$(MAKE) --no-print-directory lint
	@scripts/pytest.sh $(PYTEST_ARGS)

lint: venv-check ## ruff check, ruff format --check and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

fmt: venv-check ## Format the code and apply safe lint fixes
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: venv-check ## mypy only
	$(VENV)/bin/mypy .

migrations-check: venv-check ## Fail if a model change has no migration
	$(MANAGE) makemigrations --check --dry-run

schema: venv-check ## Write the OpenAPI document to var/openapi.json
	@mkdir -p var
	$(MANAGE) spectacular --format openapi-json --file var/openapi.json
	@echo "wrote var/openapi.json"

worker: venv-check ## Run a Celery worker in the foreground
	$(VENV)/bin/celery -A marketplace worker -Q default,jobs,notifications -l info

beat: venv-check ## Run Celery beat in the foreground
	$(VENV)/bin/celery -A marketplace beat -l info

shell: venv-check ## A Django shell
	$(MANAGE) shell

venv-check:
	@test -x $(PYTHON) || { echo "No $(VENV) yet: run 'make install' first." >&2; exit 1; }

.PHONY: help install run stop test lint fmt typecheck migrations-check schema worker beat shell venv-check
