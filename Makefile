# The two commands of the README: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MELTANO := $(BIN)/meltano
PLUGINS_STAMP := .meltano/.plugins-installed

# The demo's sandbox: addresses, fake credentials, Feishu data and Meltano state.
SANDBOX_DIR := .sandbox
SANDBOX_ENV := $(SANDBOX_DIR)/sandbox.env
DEMO_TICKETS_PER_DAY ?= 60
DEMO_HISTORY_DAYS ?= 35

# Hermetic Meltano: no usage stats, no version check, no hub, no managed Pythons.
export MELTANO_SEND_ANONYMOUS_USAGE_STATS := false
export MELTANO_CLI_DISABLE_VERSION_CHECK := true
export MELTANO_HUB_URL := http://127.0.0.1:9
export UV_PYTHON_DOWNLOADS := never

.PHONY: install plugins test lint demo browse sandbox bench chaos

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Every plugin is a custom definition in meltano.yml: no hub needed.
$(PLUGINS_STAMP): $(STAMP) meltano.yml
	$(MELTANO) install
	touch $(PLUGINS_STAMP)

plugins: $(PLUGINS_STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

# The main job twice against the sandbox: a backfill, then an incremental run.
# The sandbox runs in the background only while the demo runs (trap stops it).
demo: $(PLUGINS_STAMP)
	@set -euo pipefail; \
	mkdir -p $(SANDBOX_DIR); \
	if [ -f $(SANDBOX_ENV) ]; then \
	  running=$$(sed -n 's/^SANDBOX_PID=//p' $(SANDBOX_ENV)); \
	  if [ -n "$$running" ] && kill -0 "$$running" 2>/dev/null; then \
	    echo "A sandbox is already running (pid $$running); stop it first." >&2; \
	    exit 1; \
	  fi; \
	  rm -f $(SANDBOX_ENV); \
	fi; \
	$(BIN)/python -m sandbox --state-dir $(SANDBOX_DIR) serve \
	  --tickets-per-day $(DEMO_TICKETS_PER_DAY) \
	  --history-days $(DEMO_HISTORY_DAYS) > $(SANDBOX_DIR)/serve.log 2>&1 & \
	sandbox_pid=$$!; \
	trap 'kill $$sandbox_pid 2>/dev/null || true; wait $$sandbox_pid 2>/dev/null || true' EXIT INT TERM; \
	for attempt in $$(seq 1 150); do \
	  [ -f $(SANDBOX_ENV) ] && break; \
	  if ! kill -0 $$sandbox_pid 2>/dev/null; then cat $(SANDBOX_DIR)/serve.log >&2; exit 1; fi; \
	  sleep 0.2; \
	done; \
	if [ ! -f $(SANDBOX_ENV) ]; then \
	  echo "The sandbox did not start; see $(SANDBOX_DIR)/serve.log" >&2; exit 1; \
	fi; \
	set -a; . ./$(SANDBOX_ENV); set +a; \
	export MELTANO_STATE_BACKEND_URI="file://$(abspath $(SANDBOX_DIR))/state"; \
	echo "== Sandbox up: gateway $$SANDBOX_YUEKEYUN_BASE_URL, Feishu $$SANDBOX_FEISHU_BASE_URL"; \
	echo "== Run 1: meltano run tap-yuekeyun target-feishu (history from $$SANDBOX_START_DATE)"; \
	$(MELTANO) run tap-yuekeyun target-feishu 2>&1 | tee $(SANDBOX_DIR)/run-1.log; \
	echo "== Run 2: the same job again; it re-fetches only the lookback window"; \
	$(MELTANO) run tap-yuekeyun target-feishu 2>&1 | tee $(SANDBOX_DIR)/run-2.log; \
	for run in 1 2; do \
	  queries=$$(grep -c -E ' C[0-9]{2} (day|month) ' $(SANDBOX_DIR)/run-$$run.log || true); \
	  days=$$(grep -o -E ' C(0[1-9]|1[0-7]) (day|month) [0-9-]+' $(SANDBOX_DIR)/run-$$run.log \
	    | awk '{print $$3}' | sort -u | sed -n '1p;$$p' | paste -sd' ' - | sed 's/ / to /' || true); \
	  echo "== Run $$run: $$queries gateway queries; history dates $$days, plus the screening schedule ahead"; \
	done; \
	echo "== What landed in the Feishu sandbox:"; \
	$(BIN)/python -m sandbox --state-dir $(SANDBOX_DIR) summary; \
	echo "== Look at it in a browser: make browse"

# Serve the HTML page alone over the demo's Feishu data (Ctrl-C to stop).
browse: $(STAMP)
	$(BIN)/python -m sandbox --state-dir $(SANDBOX_DIR) page

# Both sandboxes in the foreground, for running meltano by hand (Ctrl-C to stop).
sandbox: $(STAMP)
	$(BIN)/python -m sandbox --state-dir $(SANDBOX_DIR) serve \
	  --tickets-per-day $(DEMO_TICKETS_PER_DAY) --history-days $(DEMO_HISTORY_DAYS)

# Speed and memory of the tap and the target beside their baselines (about 10 min).
bench: $(STAMP)
	$(BIN)/python -m benchmarks

# The main job under random faults and kills, compared with the ground truth.
CHAOS_SEQUENCES ?= 200
CHAOS_SEED ?= 1
chaos: $(PLUGINS_STAMP)
	$(BIN)/python -m tests.chaos --sequences $(CHAOS_SEQUENCES) --seed $(CHAOS_SEED)
