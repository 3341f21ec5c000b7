# The two commands: `make run` and `make test`. Everything else here serves them or CI.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1:8000

# Variables in .env (if there is one) reach every command below.
ifneq (,$(wildcard .env))
include .env
export
endif

.PHONY: run test install lint format typecheck migrations-check schema-check messages messages-check deploy-check worker beat ci clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver $(HOST)

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: install
	$(BIN)/mypy

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

# The OpenAPI schema builds without a warning (an undocumented field or an ambiguous type is one).
schema-check: install
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file var/openapi.yml

# Extract every translatable string into locale/*/LC_MESSAGES/django.po and compile the catalogues.
messages: install
	$(BIN)/python manage.py makemessages --all --no-location --no-obsolete --ignore '.venv/*' --ignore 'var/*'
	$(BIN)/python manage.py compilemessages --ignore '.venv/*'

# The catalogues hold every string of the source, each translated, and the .mo files match them:
# after a fresh extraction a new string shows as untranslated, a removed one as a stale .mo.
messages-check: install
	$(BIN)/python manage.py makemessages --all --no-location --no-obsolete --ignore '.venv/*' --ignore 'var/*'
	for po in locale/*/LC_MESSAGES/*.po; do msgfmt --check-format -o /dev/null "$$po" || exit 1; done
	$(BIN)/python manage.py check_translations

deploy-check: install
	YICANG_ENV=production DEBUG=false ALLOWED_HOSTS=yicang.example.org \
	SECRET_KEY=deploy-check-only-9f8e7d6c5b4a39281706f5e4d3c2b1a0-not-a-real-secret \
	YICANG_FIELD_KEYS=wnVq0E8vV1Kq0bbm8PgZ0Zl4x3mM2C8m0b2tq5b8Y9w= YICANG_HASH_KEY=deploy-check-only-hash-key-0123456789abcdef \
	YICANG_LOG_SIGNING_KEY=ZGVwbG95LWNoZWNrLW9ubHktbG9nLWtleS0wMTIzNDU= \
	YICANG_PUBLIC_URL=https://yicang.example.org \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

worker: install
	$(BIN)/celery -A yicang worker --loglevel=INFO -Q default,labels,reports

beat: install
	$(BIN)/celery -A yicang beat --loglevel=INFO --schedule var/celerybeat-schedule

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
