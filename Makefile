# UnionFlow — the two commands a fresh machine needs are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)
PG_URL ?= postgres://postgres@127.0.0.1:5432/unionflow
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PYTEST := $(VENV)/bin/pytest -p no:cacheprovider

.PHONY: install system-deps demo test lint check test-sqlite test-postgres services bench fuzz clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

# Debian packages the tests and reports need: chromium for browser tests, a CJK font for charts,
# LibreOffice for the report's PDF, poppler's pdftotext/pdftoppm for the test that reads that PDF.
system-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	fc-list 2>/dev/null | grep -qi "WenQuanYi Micro Hei" || missing="$$missing fonts-wqy-microhei"; \
	command -v soffice >/dev/null || missing="$$missing libreoffice-writer-nogui"; \
	{ command -v pdftotext && command -v pdftoppm; } >/dev/null || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

# Installs, migrates, loads the demo period and serves web + worker + beat on SQLite and the
# embedded filesystem broker.  Ctrl-C stops everything.
demo: install system-deps
	bin/demo

test: install system-deps lint check test-sqlite test-postgres
	@echo "make test: all checks passed"

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: install
	$(PY) manage.py makemigrations --check --dry-run
	DJANGO_ENV=production SECRET_KEY="$$(head -c 48 /dev/urandom | base64)" ALLOWED_HOSTS=unionflow.example.org \
		$(PY) manage.py check --deploy --fail-level WARNING

services:
	@$(PY) bin/check_services.py

test-sqlite: install services
	$(PYTEST) tests; rc=$$?; [ $$rc -eq 5 ] && rc=0; exit $$rc

test-postgres: install services
	DATABASE_URL=$(PG_URL) SOAK_SECONDS=60 $(PYTEST) --create-db tests; rc=$$?; [ $$rc -eq 5 ] && rc=0; exit $$rc

# The schemathesis run of make test at a large budget, new examples each time, on PostgreSQL.
fuzz: install services
	DATABASE_URL=$(PG_URL) FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-500} FUZZ_RANDOM=1 $(PYTEST) --create-db tests/api

# Scale benchmarks on PostgreSQL (B1 transitions, B2 queue, B3 period close, B4 load) beside the
# raw-SQL floor; SCALE=full for a provincial federation's data.  Writes benchmarks/results/latest.json.
bench: install services
	$(PY) benchmarks/run.py

clean:
	rm -rf var artifacts
