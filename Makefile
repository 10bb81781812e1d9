# Placewise: make run | make test | make bench
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi

# GOV.UK Frontend is pinned to the version govuk-frontend-jinja 4.1.0 supports.
GOVUK_FRONTEND_VERSION := 6.3.0
SASS_VERSION := 1.108.2
# axe-core checks every page the browser tests visit (WCAG 2.2 AA).
AXE_CORE_VERSION := 4.14.1
NPM_DIR := build/npm
NPM_STAMP := $(NPM_DIR)/.installed-$(GOVUK_FRONTEND_VERSION)-$(SASS_VERSION)-$(AXE_CORE_VERSION)
GOVUK_STATIC := maturity/static/govuk

.PHONY: install assets run test lint format bench clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

assets: $(GOVUK_STATIC)/app.css $(GOVUK_STATIC)/govuk-frontend.min.js

$(NPM_STAMP):
	mkdir -p $(NPM_DIR)
	npm install --prefix $(NPM_DIR) --no-save --no-audit --no-fund --loglevel=error \
		govuk-frontend@$(GOVUK_FRONTEND_VERSION) sass@$(SASS_VERSION) axe-core@$(AXE_CORE_VERSION)
	touch $@

$(GOVUK_STATIC)/app.css: maturity/assets/app.scss $(NPM_STAMP)
	mkdir -p $(GOVUK_STATIC)
	$(NPM_DIR)/node_modules/.bin/sass --load-path=$(NPM_DIR)/node_modules --style=compressed \
		--no-source-map --quiet-deps maturity/assets/app.scss $@

$(GOVUK_STATIC)/govuk-frontend.min.js: $(NPM_STAMP)
	mkdir -p $(GOVUK_STATIC)
	cp $(NPM_DIR)/node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $@

# The demo's charts (several hundred) are drawn by a background process while the site is
# already serving: until a chart is drawn, its page shows the table of its figures.
run: install assets
	mkdir -p instance
	$(FLASK) db upgrade
	RENDER_CHARTS=false $(FLASK) seed-demo
	@echo "Drawing the demo's charts in the background (log: instance/draw-charts.log)"
	$(FLASK) draw-charts > instance/draw-charts.log 2>&1 &
	@echo "Serving Placewise at http://127.0.0.1:$(PORT)"
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Two pytest-xdist workers by default (each gets its own database); PYTEST_ARGS adds more.
PYTEST_WORKERS ?= 2

test: install assets lint
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# QUALITY.md §2 on PostgreSQL and Redis (BENCH_DATABASE_URL, BENCH_REDIS_URL); BENCH_ARGS adds
# options, e.g. BENCH_ARGS="--only P1,P6 --members 40".
bench: install
	$(BIN)/python -m tests.bench.run $(BENCH_ARGS)

clean:
	rm -rf build $(GOVUK_STATIC) .pytest_cache
