# The two commands: `make run` serves the API, `make test` runs every test.
# Both build the virtualenv from the lock file first (once, and again when the
# lock or pyproject.toml changes).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# The web app (frontend/) is built into frontend/dist, which the server serves at /
# when it exists. Node.js builds and tests it; the API needs none of it.
NODE := $(shell command -v node 2>/dev/null)
FRONTEND := frontend
FRONTEND_DEPS := $(FRONTEND)/node_modules/.installed
FRONTEND_BUILT := $(FRONTEND)/dist/index.html
FRONTEND_SOURCES := $(shell find $(FRONTEND)/src $(FRONTEND)/public -type f -not -path '$(FRONTEND)/src/gql/*' 2>/dev/null) \
	$(FRONTEND)/index.html $(FRONTEND)/graphiql.html $(FRONTEND)/vite.config.ts $(FRONTEND)/codegen.ts $(FRONTEND)/tsconfig.json \
	schema/schema.graphql

.PHONY: run test lint format lock schema bench db-stop clean frontend frontend-test screenshots

run: $(STAMP) frontend
	$(BIN)/cnop serve

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	@$(MAKE) --no-print-directory frontend-test

# Builds the web app when Node.js is there and its sources changed since the last build.
frontend:
ifdef NODE
	@$(MAKE) --no-print-directory $(FRONTEND_BUILT) || echo "front end: the build failed (see above); serving the API and the last built app, if any"
else
	@echo "front end: Node.js not found, serving the API only; the web app at / and the GraphiQL playground at /graphql are built with Node.js: install Node.js 20.19+ and npm, then make run again"
endif

# Component tests (Vitest), then the end-to-end journey (Playwright, headless Chromium).
frontend-test: $(STAMP)
ifdef NODE
	@$(MAKE) --no-print-directory $(FRONTEND_BUILT)
	cd $(FRONTEND) && npm test
	cd $(FRONTEND) && npm run e2e
else ifdef CI
	@echo "front-end tests: Node.js not found; CI must have Node.js 20.19+ to run them" >&2; exit 1
else
	@echo "front-end tests SKIPPED: Node.js not found; install Node.js 20.19+ and npm to run them"
endif

# Refreshes the pictures of README.md and docs/frontend.md (docs/screenshots/) from the
# end-to-end journey.
screenshots: $(STAMP)
	@$(MAKE) --no-print-directory $(FRONTEND_BUILT)
	cd $(FRONTEND) && SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots npm run e2e

# A clean install on the Node.js the README names: any EBADENGINE (a package that
# wants a newer Node.js) fails it, so that a version bump that drops Node.js 20 is
# seen here rather than by a user (frontend/.npmrc has engine-strict as well).
$(FRONTEND_DEPS): $(FRONTEND)/package.json $(FRONTEND)/package-lock.json
	@cd $(FRONTEND) && { npm ci --no-audit --no-fund 2>&1; echo "npm-ci-exit $$?"; } > $(CURDIR)/.npm-ci.log; \
	  cat $(CURDIR)/.npm-ci.log; \
	  if grep -q EBADENGINE $(CURDIR)/.npm-ci.log; then \
	    echo "front end: npm ci found packages that do not support Node.js $$(node --version) (EBADENGINE above); the web app needs Node.js 20.19+" >&2; exit 1; \
	  fi; \
	  grep -q "^npm-ci-exit 0$$" $(CURDIR)/.npm-ci.log
	touch $@

$(FRONTEND_BUILT): $(FRONTEND_DEPS) $(FRONTEND_SOURCES)
	cd $(FRONTEND) && npm run build
	touch $@

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports --no-cache --no-logo

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

schema: $(STAMP)
	$(BIN)/cnop print-schema > schema/schema.graphql

bench: $(STAMP)
	$(BIN)/python -m bench

db-stop: $(STAMP)
	$(BIN)/cnop db stop

# Regenerates the lock file (needs `uv` on PATH); commit the result.
lock:
	uv pip compile pyproject.toml --extra dev --extra embedded --generate-hashes --python-version 3.11 -o requirements.lock

# The Dockerfile's share of the lock (runtime only, same pins and hashes); after `make lock`.
.PHONY: image-lock
image-lock: $(STAMP)
	$(BIN)/python deploy/runtime_lock.py

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

clean:
	rm -rf $(VENV) build *.egg-info
