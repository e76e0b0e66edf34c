# Canvass: `make run` serves Canvass on SQLite (on an empty database it prints the one-time setup code),
# `make demo` serves the Oslo and Bærum demo instead (both with a job consumer), `make test` runs every test.
VENV     := .venv
PY       := $(VENV)/bin/python
FLASK    := $(VENV)/bin/flask --app canvass
PYBABEL  := $(VENV)/bin/pybabel
VENDOR   := static/vendor
MO_FILES := $(patsubst %.po,%.mo,$(wildcard canvass/translations/*/LC_MESSAGES/messages.po))
# Our own scripts, minified beside their sources and served in their place (canvass/assets.py).
OWN_JS   := static/sw.js $(wildcard static/js/*.js)
MIN_JS   := $(patsubst static/%,static/min/%,$(OWN_JS))

.PHONY: setup assets run demo-data test lint bench db demo messages clean

setup: $(VENV)/.installed $(VENDOR)/.installed $(MO_FILES) assets

# After editing a script: until this runs again, the edited source is served as it is.
assets: $(MIN_JS)

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

$(VENDOR)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)/leaflet
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images $(VENDOR)/leaflet/
	touch $@

static/min/%.js: static/%.js $(VENDOR)/.installed
	@mkdir -p $(dir $@)
	node_modules/.bin/terser $< --compress --mangle --output $@

%.mo: %.po $(VENV)/.installed
	$(PYBABEL) compile -i $< -o $@

db: setup
	$(FLASK) db upgrade

demo-data: db
	$(FLASK) demo load

# The web server and a consumer for the queued jobs (imports, downloads, themes) beside it; Ctrl-C stops both.
SERVE = $(FLASK) jobs worker & worker=$$!; \
	trap 'kill -INT $$worker 2>/dev/null; wait $$worker' EXIT; \
	$(FLASK) run --host 127.0.0.1 --port 5000

run: db
	$(FLASK) setup code --if-open
	$(SERVE)

demo: demo-data
	$(SERVE)

# One pytest worker per core; each builds its own databases, so the suite runs on both at once.
# `make test WORKERS=0` runs in one process, `PYTEST_ARGS=tests/test_sync.py` picks tests.
WORKERS ?= auto

# With PYTHONDONTWRITEBYTECODE set (as on some CI images), every worker and every process a test starts (gunicorn,
# flask CLI, job consumers) compiled the app and re-rewrote the tests' assertions from source: ~4 s of CPU each.
# Empty is unset to Python: the run keeps them in __pycache__ (ignored by git) instead.
test: export PYTHONDONTWRITEBYTECODE :=
test: setup lint
	$(PY) -m pytest -n $(WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .

# locust and its gevent stay out of the test setup: only the benchmarks need them.
$(VENV)/.bench: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test,bench]'
	touch $@

bench: setup $(VENV)/.bench
	$(PY) bench/run.py $(ONLY)

# Extract and merge translatable strings after changing user-facing text.
messages: $(VENV)/.installed
	$(PYBABEL) extract -F babel.cfg -k _l -k N_ -o canvass/translations/messages.pot .
	$(PYBABEL) update -i canvass/translations/messages.pot -d canvass/translations --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) node_modules $(VENDOR) static/min instance
