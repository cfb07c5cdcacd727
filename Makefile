# The single entry point: `make help` lists the targets.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
NODE_MODULES := scripts/node_modules/.installed
CHROMIUM := /usr/bin/chromium
# `eval "$(make env)"` must read exports only, even when make runs inside another make.
MAKEFLAGS += --no-print-directory
# Bytecode caches (__pycache__, ignored by git) are kept, whatever the shell says: without them every pytest
# worker and every process a test starts compiles the project again, and pytest rewrites the test modules'
# asserts again (test-fast: about 8 s of its 90; docs/development.md). Lambda's artifacts ship their own.
unexport PYTHONDONTWRITEBYTECODE
# The test images (committed) are what `make golden` describes; the larger corpus is an optional input of `make bench`.
IMAGES ?= tests/data/images
CORPUS ?= ../shared/corpus

.PHONY: help install test test-fast run env invoke smoke keys signing-key screenshots build lint golden golden-exif golden-sharp golden-embedded metadata-fixtures bench backfill clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 12

install: $(STAMP) ## create .venv with the runtime and test dependencies and the `imagemeta` command

# The first install fetches about 150 packages (two minutes here): pip names each as it goes.
$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@echo "Installing requirements.txt and requirements-dev.txt into $(VENV) (about two minutes the first time)"
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install --progress-bar off -r requirements-dev.txt
	$(VENV)/bin/pip install -q --no-deps -e .
	touch $@
	@echo "$(VENV) is ready"

# Test files are spread over every core (-n auto); a file's tests stay together, so each file's module fixtures
# (and each worker's local stack) are made once.
PYTEST := $(PY) -m pytest -q -n auto --dist loadfile

test: install $(NODE_MODULES) $(CHROMIUM) ## run the whole test suite (unit, handlers, tools, local stack, both official SDKs, the page in a browser)
	$(PYTEST) --durations=25

# Debian's Chromium, which the page's browser tests and screenshots drive (Playwright's own browser download is
# not used): installed when missing where apt-get runs as root (CI); elsewhere the message says how.
$(CHROMIUM):
	@[ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		|| { echo "The browser tests need Debian's chromium: sudo apt-get install chromium" >&2; exit 1; }
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null

# The npm packages of scripts/package-lock.json: the reference tools of `make golden` and the hosted API's npm
# SDK, which the integration tests drive.
# sharp 0.35 needs Node.js 20.9 or later.
NODE_AT_LEAST_20_9 := node -e 'const [major, minor] = process.versions.node.split(".").map(Number); process.exit(major > 20 || (major === 20 && minor >= 9) ? 0 : 1)'
$(NODE_MODULES): scripts/package.json scripts/package-lock.json
	@command -v npm >/dev/null && $(NODE_AT_LEAST_20_9) \
		|| { echo "make test needs Node.js 20.9 or later, with npm (sharp and the hosted API's npm SDK run in it):" \
		"install it (nodejs.org lists the ways), then run make test again" >&2; exit 1; }
	npm --prefix scripts ci --no-audit --no-fund
	touch $@

test-fast: install ## unit and handler tests, for the inner loop: no local stack, no build or lint tools, no scenarios
	$(PY) -m pytest -q -n auto --dist worksteal -m "not integration and not tools and not scenarios"

# PARAMS="Name=Value ..." sets template parameters, as sam's --parameter-overrides (e.g. FetchAllowedPorts=80,443,8765).
run: install ## run the service locally on moto (foreground; Ctrl-C stops it) [PARAMS="Name=Value ..."]
	$(PY) -m infra $(if $(PARAMS),--parameter-overrides $(PARAMS))

env: install ## shell exports for the running local stack (API, KEY, BUCKET, the AWS CLI's endpoint, region, dummy keys) [LOCAL_API_PORT=port: which stack]
	@$(PY) -m ops.env

invoke: install ## one function on one event against the running local stack: make invoke FUNCTION=FilesFunction EVENT=events/file_metadata.json
	@test -n "$(FUNCTION)" -a -n "$(EVENT)" || { echo 'usage: make invoke FUNCTION=<logical id> EVENT=events/<file>.json' >&2; exit 2; }
	@$(PY) -m infra.invoke $(FUNCTION) $(EVENT)

smoke: install ## end-to-end check with the official SDK: the local stack, or STACK=<name> KEY=<private key> deployed
	$(PY) -m ops.smoke $(if $(STACK),--stack $(STACK)) $(if $(KEY),--key $(KEY))

screenshots: install $(CHROMIUM) ## docs/page-desktop.png and docs/page-phone.png, taken on the running local stack (make run)
	$(PY) -m scripts.page_screenshots

backfill: install ## records for objects already in the running local stack's bucket (start it with make run)
	$(PY) -m ops.backfill

# KEYS=create | list | "delete NAME"; STACK=<name> for a deployed stack, else the local one (docs/deploy.md).
signing-key: install ## the key pairs that sign private files' urls: make signing-key STACK=name KEYS=create|list|"delete NAME"
	$(PY) -m ops.signing_keys $(if $(STACK),--stack $(STACK)) $(if $(KEYS),$(KEYS),list)

# KEYS="create --name NAME" | "list" | "revoke KEY_ID"; STACK=<name> for a deployed stack, else the local one.
KEYS ?= list
keys: install ## manage private keys: make keys KEYS="create --name ci" [STACK=name] (default: list, local stack)
	$(PY) -m ops.keys $(if $(STACK),--stack $(STACK)) $(KEYS)

build: install ## sam build: the Lambda artifacts (aarch64 CPython 3.12 wheels, no Docker) into .aws-sam/build
	SAM_CLI_TELEMETRY=0 PYTHON=$(abspath $(PY)) $(VENV)/bin/sam build

lint: install ## ruff (the whole tree), mypy (functions, infra, ops, bench, test helpers), cfn-lint and sam validate --lint
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/cfn-lint template.yaml
	SAM_CLI_TELEMETRY=0 $(VENV)/bin/sam validate --lint

golden: golden-exif golden-sharp golden-embedded ## regenerate the committed tables and reference expectations (needs exiftool, node, npm)

golden-exif: install ## the EXIF tag table (exiftool) and node-exif's output over $(IMAGES)
	$(PY) scripts/gen_exif_tags.py
	npm --prefix scripts install --no-audit --no-fund
	node scripts/expect_node_exif.js $(IMAGES) tests/data/expected/node_exif.json

golden-sharp: install ## the format fixtures, then sharp/sharp-phash/identify %Q over $(IMAGES), and sharp-phash's cosine table
	$(PY) scripts/make_format_fixtures.py
	npm --prefix scripts install --no-audit --no-fund
	node scripts/phash_cos.js functions/imagemeta/data/phash_cos.json
	node scripts/expect_sharp.js $(IMAGES) tests/data/expected/sharp.json

golden-embedded: install ## ExifTool's tag tables for embeddedMetadata, and exiftool -j over $(IMAGES)
	$(PY) scripts/gen_embedded_tags.py
	$(PY) scripts/expect_embedded.py $(IMAGES) tests/data/expected/embedded_exiftool.json

metadata-fixtures: install ## rewrite tests/data/images/metadata/ (EXIF, IPTC, XMP in every format; needs exiftool)
	$(PY) scripts/make_metadata_fixtures.py

bench: install ## measure speed, memory, cold start, ingest, cost and sizes; writes docs/benchmarks.md (SECTIONS="artifacts ingest-cost": only those)
	@command -v djpeg >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& { apt-get update -qq; apt-get install -y -qq libjpeg-turbo-progs; } >/dev/null 2>&1; } || true
	CORPUS=$(abspath $(CORPUS)) $(PY) -m bench $(SECTIONS)

clean: ## remove build output and the local stack's state
	rm -rf .aws-sam .local
