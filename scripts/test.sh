#!/usr/bin/env bash
# Everything the tests need, then the tests: a virtual environment with requirements-dev.txt, Debian Chromium for
# the browser tests (installed with apt-get when run as root), ruff, and pytest. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }

if as_root; then
    apt-get update -qq || echo "apt-get update failed: Debian packages may be missing"
fi
if [ ! -x .venv/bin/python ]; then
    if ! python3 -m venv .venv && as_root; then
        rm -rf .venv
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
        python3 -m venv .venv
    fi
fi
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt

if ! command -v chromium >/dev/null 2>&1; then
    if as_root; then
        echo "Installing Debian Chromium for the browser tests..."
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null \
            || echo "Chromium could not be installed: the browser tests will skip (and fail under CI)."
    else
        echo "Chromium is missing and cannot be installed here (needs root and apt-get): browser tests will skip."
    fi
fi

.venv/bin/ruff check .
.venv/bin/ruff format --check textlab bench tests app.py
exec .venv/bin/python -m pytest "$@"
