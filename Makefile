# The two commands a newcomer needs: `make run` and `make test`.
# CKAN_VERSION=2.12 selects the other pin set, in its own virtualenv.

CKAN_VERSION ?= 2.11
PYTHON ?= $(shell command -v python3.11 || command -v python3)
ifeq ($(CKAN_VERSION),2.11)
VENV ?= .venv
else
VENV ?= .venv-$(CKAN_VERSION)
endif
BIN := $(VENV)/bin
CKAN := $(BIN)/ckan
VERSION_TAG := $(subst .,,$(CKAN_VERSION))
RUN_DB ?= ckan_portal
# `make run PORT=5100 REDIS_URL=redis://127.0.0.1:6379/3 WEB_WORKERS=3 WEB_THREADS=4`:
# exported to scripts/run-portal.sh.
PORT ?= 5000
export PORT REDIS_URL WEB_WORKERS WEB_THREADS
TEST_DB ?= ckan_test_$(VERSION_TAG)
# Each CKAN version's tests get their own Redis database, so that both suites can
# run side by side without emptying or running each other's background jobs.
TEST_REDIS_DB ?= $(if $(filter 2.11,$(CKAN_VERSION)),1,2)
TEST_STORAGE ?= $(CURDIR)/.pytest_cache/storage-$(VERSION_TAG)
DB_URL_BASE := postgresql://ckan@127.0.0.1:5432
PYTEST_ARGS ?=

.PHONY: run dev test bench install services test-db portal-db i18n clean help

help:
	@echo "make run    - start the portal with demo data on http://127.0.0.1:5000 (gunicorn)"
	@echo "make dev    - the same with CKAN's development server, reloading on change"
	@echo "make test   - run the test suite (CKAN_VERSION=2.12 for the other CKAN)"
	@echo "make bench  - run the benchmarks under bench/ and print their tables"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade "pip==24.3.1" "setuptools==75.6.0" "wheel==0.45.1"

$(VENV)/.installed: $(BIN)/python requirements/ckan-$(CKAN_VERSION).txt requirements/dev.txt requirements/no-deps.txt pyproject.toml
	$(BIN)/pip install -q -r requirements/ckan-$(CKAN_VERSION).txt -r requirements/dev.txt
	$(BIN)/pip install -q --no-deps -r requirements/no-deps.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $@

install: $(VENV)/.installed i18n

i18n: $(VENV)/.installed
	@$(BIN)/python scripts/compile_catalogs.py

services:
	@scripts/ensure-services.sh

# Each database has its DataStore beside it (<db>_datastore, read by datastore_ro).
portal-db: services $(VENV)/.installed
	@scripts/ensure-db.sh $(RUN_DB)
	@scripts/ensure-datastore-db.sh $(VENV) $(RUN_DB)

test-db: services $(VENV)/.installed
	@scripts/ensure-db.sh $(TEST_DB)
	@scripts/ensure-datastore-db.sh $(VENV) $(TEST_DB)

run: install portal-db
	@CKAN_DB_URL=$(DB_URL_BASE)/$(RUN_DB) scripts/run-portal.sh $(VENV)

dev: install portal-db
	@CKAN_DB_URL=$(DB_URL_BASE)/$(RUN_DB) scripts/run-portal.sh $(VENV) dev

test: install test-db
	@scripts/ensure-chromium.sh
	@scripts/ensure-deploy-tools.sh
	CKAN_SQLALCHEMY_URL=$(DB_URL_BASE)/$(TEST_DB) \
	CKAN_DATASTORE_WRITE_URL=$(DB_URL_BASE)/$(TEST_DB)_datastore \
	CKAN_DATASTORE_READ_URL=postgresql://datastore_ro@127.0.0.1:5432/$(TEST_DB)_datastore \
	CKAN_STORAGE_PATH=$(TEST_STORAGE) \
	CKAN_REDIS_URL=redis://127.0.0.1:6379/$(TEST_REDIS_DB) \
	$(BIN)/python -m pytest --ckan-ini=test.ini --durations=20 $(PYTEST_ARGS)

bench: install portal-db
	@for script in bench/*.py; do \
		echo "== $$script"; \
		BENCH_DB=ckan_bench_$(VERSION_TAG) $(BIN)/python $$script || exit 1; \
	done

clean:
	rm -rf .venv .venv-* *.egg-info
