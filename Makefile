# TEP Marketplace: `make run` starts the platform with demo data, `make test` tests it.
SHELL := /bin/bash
VENV := .venv
PYTHON := $(VENV)/bin/python
MANAGE := $(PYTHON) manage.py

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2}'

install: ## Install system, Python and front-end packages; find or start PostgreSQL and Redis
	@scripts/bootstrap.sh

run: install ## Set everything up and start web, worker and beat with demo data
	@scripts/start.sh

stop: ## Stop what `make run` started
	@scripts/stop.sh

test: ## Lint, type-check and run the whole test suite (browser tests included)
	@scripts/bootstrap.sh --test
	@$(MAKE) --no-print-directory lint
	@scripts/pytest.sh

lint: ## ruff (lint and format check) and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

fmt: ## Format the code and apply safe lint fixes
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: ## mypy only
	$(VENV)/bin/mypy .

migrations-check: ## Fail if a model change has no migration
	$(MANAGE) makemigrations --check --dry-run

schema: ## Write the OpenAPI document to var/openapi.json
	@mkdir -p var
	$(MANAGE) spectacular --format openapi-json --file var/openapi.json

worker: ## Run a Celery worker in the foreground
	$(VENV)/bin/celery -A marketplace worker -Q default,jobs,notifications -l info

beat: ## Run Celery beat in the foreground
	$(VENV)/bin/celery -A marketplace beat -l info

shell: ## A Django shell
	$(MANAGE) shell

.PHONY: help install run stop test lint fmt typecheck migrations-check schema worker beat shell
