"""What every browser test file shares: Debian's Chromium, where screenshots go, and the marks that skip the tests
where Chromium is missing (and fail them under CI)."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"

BROWSER_MARKS = [
    pytest.mark.browser,
    # In CI a missing browser is a failure, not a skip: scripts/test.sh installs it there.
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and not os.environ.get("CI"),
        reason="Debian Chromium is not installed (apt-get install chromium)",
    ),
]
