#!/usr/bin/env bash
# Everything the tests need, then the tests: a virtual environment with requirements-dev.txt, Debian Chromium for
# the browser tests (installed with apt-get when run as root), ruff, and pytest. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt

if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing Debian Chromium for the browser tests..."
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
    else
        echo "Chromium is missing and cannot be installed here (needs root and apt-get): browser tests will skip."
    fi
fi

.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
