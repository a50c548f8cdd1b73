# Two commands for a newcomer: `make run` and `make test`. See README.md.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format migrate seed messages bench bench-matrix clean

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found; set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install --upgrade --quiet pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# Without DATABASE_URL, the embedded PostgreSQL (data in .data/postgres) starts with the first
# command and stops with the last one (the server and the periodic jobs). No auto-reload: its
# parent process would kill the server's process outright on the way out, before it could stop
# the database (run `manage.py runserver` yourself to work with reloading).
run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo ""
	@echo "  Fab-lab booking is running at http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@echo "  Demo logins, all with password demo1234:"
	@echo "    admin@demo.fr     staff (superuser)"
	@echo "    operator@demo.fr  operator of two platforms"
	@echo "    sme@demo.fr       admin of company A"
	@echo "    sme2@demo.fr      member of company B"
	@echo "    funder@demo.fr    funder follow-up"
	@echo "  E-mails are printed below (console backend); the periodic jobs run beside the server."
	@echo ""
	@$(PY) manage.py run_periodic_jobs & jobs=$$!; \
	trap 'kill $$jobs 2>/dev/null; wait $$jobs 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver --noreload $(HOST):$(PORT)

# axe-core, for the browser tests' accessibility checks (npm, from package-lock.json).
AXE := tests/e2e/axe/node_modules/axe-core/package.json
$(AXE): tests/e2e/axe/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/e2e/axe --no-audit --no-fund --loglevel=error && touch $(AXE); \
	else echo "npm not found: the accessibility checks will be skipped"; fi

# PostgreSQL at TEST_DATABASE_URL when it answers, else the embedded one; Redis when it answers
# (else its tests skip, or fail with REQUIRE_SERVICES=1). On every core (pytest-xdist), each
# worker in a database of its own; the tests on the one Redis run on one worker (loadgroup).
test: $(STAMP) $(AXE)
	$(PY) -m pytest -n auto --dist loadgroup

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput

seed: $(STAMP)
	$(PY) manage.py seed_demo

# Booking-core benchmark on PostgreSQL (see bench/README.md); figures go to docs/PERFORMANCE.md.
bench: $(STAMP)
	$(PY) bench/booking_core.py --platforms 50 --machines-per-platform 10 --bookings 200000

bench-matrix: $(STAMP)
	PY=$(PY) bench/scale_matrix.sh

# Regenerate and compile the translation catalogues (needs GNU gettext).
messages: $(STAMP)
	$(PY) manage.py makemessages -l fr -l en --ignore '.venv/*' --ignore 'bench/*' --ignore 'tests/*'
	$(PY) manage.py compilemessages --ignore '.venv/*'

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
