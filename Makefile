PY := .venv/bin/python
STAMP := .venv/.installed

.PHONY: venv run chromium test lint fmt bench serve clean

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
	.venv/bin/pytest || [ $$? -eq 5 ]  # exit 5 = no tests collected (temporary)

lint: venv
	.venv/bin/ruff check .

fmt: venv
	.venv/bin/ruff check --fix .

bench: venv
	$(PY) -m bench

# Production-style serving: DEBUG off, so SECRET_KEY must be set, e.g.
#   SECRET_KEY=... make serve   (add SECURE_COOKIES=0 if not behind HTTPS)
serve: venv
	DEBUG=0 $(PY) manage.py migrate --noinput
	DEBUG=0 $(PY) manage.py collectstatic --noinput -v 0
	DEBUG=0 .venv/bin/gunicorn backprop_course.wsgi --bind 127.0.0.1:8000 \
	  --workers $${WEB_CONCURRENCY:-3}

clean:
	rm -rf .venv staticfiles .pytest_cache .ruff_cache .hypothesis test-results
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
