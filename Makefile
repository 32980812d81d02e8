PY := .venv/bin/python
STAMP := .venv/.installed

.PHONY: venv run chromium test lint fmt bench serve clean editor messages screenshots

# Tests marked `postgres` need PostgreSQL itself: the SQLite pass leaves them out.
PYTEST_MARKS := $(if $(filter postgres://% postgresql://%,$(DATABASE_URL)),,-m "not postgres")

venv: $(STAMP)

.venv/bin/python:
	python3 -m venv .venv

$(STAMP): .venv/bin/python requirements.txt requirements-dev.txt
	.venv/bin/pip install -q -r requirements-dev.txt
	touch $@

run: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py load_demo
	$(PY) manage.py runserver 127.0.0.1:8000

# Browser tests use Debian's chromium; Playwright never downloads a browser.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium missing and not root: browser tests may fail"; fi; \
	fi

test: venv chromium
	$(PY) manage.py makemigrations --check --dry-run
	.venv/bin/ruff check .
	.venv/bin/pytest $(PYTEST_MARKS)

lint: venv
	.venv/bin/ruff check .

fmt: venv
	.venv/bin/ruff check --fix .

# All three benchmarks (engine, grading, HTTP under load: needs PostgreSQL on
# 127.0.0.1:5432); a report, not a test. BENCH="http --quick" runs a part.
bench: venv
	$(PY) -m bench $(BENCH)

# Production serving (README, "Production serving"): DEBUG off, so SECRET_KEY must be set;
#   SECRET_KEY=... DATABASE_URL=postgres://... REDIS_URL=redis://127.0.0.1:6379/0 make serve
# Add SECURE_COOKIES=0 when not behind HTTPS, MIGRATE=0 on every app host but the one that
# migrates. Workers, bind address: gunicorn.conf.py.
serve: venv
	$(if $(filter 0,$(MIGRATE)),@echo "MIGRATE=0: not migrating",DEBUG=0 $(PY) manage.py migrate --noinput)
	DEBUG=0 $(PY) manage.py collectstatic --noinput -v 0
	DEBUG=0 exec .venv/bin/gunicorn -c backprop_course/gunicorn.conf.py

# After changing user-facing text: update locale/*/django.po, translate the new entries, then
# `make messages` again compiles the .mo files (committed, so running the site needs no
# gettext; tests/views/test_i18n.py fails when a .mo is older than its .po).
MESSAGE_DIRS := --ignore=.venv --ignore=frontend --ignore=static --ignore=staticfiles \
  --ignore=tests --ignore=bench --ignore=docs
messages: venv
	$(PY) manage.py makemessages -l de --no-location $(MESSAGE_DIRS)
	$(PY) manage.py makemessages -d djangojs -l de --no-location --ignore=.venv \
	  --ignore=frontend --ignore=staticfiles --ignore=static/vendor --ignore=static/admin \
	  --ignore=tests --ignore=bench --ignore=docs
	$(PY) manage.py compilemessages -l de --ignore=.venv

# The README's screenshots (docs/), taken by the browser tests that open those pages.
SHOTS := test-results/screenshots
screenshots: venv chromium
	.venv/bin/pytest -p no:cacheprovider tests/browser/test_graph_view.py::test_the_output_box_is_in_view_on_load \
	  tests/browser/test_accessibility.py::test_keyboard_only_wrong_hint_fix_solved \
	  tests/browser/test_quiz.py::test_step_through_the_two_weight_network \
	  tests/browser/test_editor.py
	cp $(SHOTS)/network-1280.png docs/screenshot-quiz.png
	cp $(SHOTS)/hint.png docs/screenshot-hint.png
	cp $(SHOTS)/step-through.png docs/screenshot-step-through.png
	cp $(SHOTS)/editor-slip-1280.png docs/screenshot-editor.png

# Dev time only: rebuild the admin's code editor (CodeMirror) into static/vendor/codemirror/
# from frontend/editor/ with npm + esbuild. The built file is committed.
editor:
	cd frontend/editor && npm ci --no-audit --no-fund && npm run build

clean:
	rm -rf .venv staticfiles .pytest_cache .ruff_cache .hypothesis test-results
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
