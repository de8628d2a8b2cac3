"""Every setting read from the environment, in one place, each read when it is asked for (never at import time).

| variable | default | what |
| --- | --- | --- |
| `TEXTLAB_MODELS` | `models/` | checkpoint folder |
| `TEXTLAB_CACHE` | `~/.cache/textlab` | downloaded data |
| `TEXTLAB_TBBT_DIR` | `../shared/data/tbbt` | The Big Bang Theory transcripts |
| `TEXTLAB_TRAIN_BUDGET` | 240 | seconds a quick model trains for when the app has to train one |
| `TEXTLAB_HOST`, `TEXTLAB_PORT` (or `PORT`), `TEXTLAB_SHARE` | 127.0.0.1, 7860, off | `serve`'s defaults |
| `TEXTLAB_TORCH_THREADS` | 1 | torch threads per request while serving |
| `TEXTLAB_SESSIONS` | 1000 | browser / API sessions whose state the server keeps |
| `TEXTLAB_LAB_JOBS` | 1 | Lab trainings at once |
| `TEXTLAB_LAB_TIME_CAP` | 60 | seconds of training per Lab job (at least 10) |
| `TEXTLAB_FILE_MAX_AGE` | 3600 | seconds an upload or a download is kept before the sweep removes it |
| `TEXTLAB_DEVICE` | cpu | where models train, are scored and are served: auto, cpu, cuda or mps (`--device`) |
| `OMP_NUM_THREADS` | the cores this process may use | threads for a model trained at start-up |
| `RANK`, `WORLD_SIZE`, `LOCAL_RANK` | 0, 1, 0 | set by torchrun: this process's place in the job |
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def env_number(name: str, default: float, minimum: float) -> float:
    """A number from the environment variable `name`, or `default`; a clear error when it is not one or too small."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None
    if not value >= minimum:  # also refuses nan
        raise ValueError(f"{name} must be at least {minimum:g}, got {raw!r}")
    return value


def models_dir() -> Path:
    """Where checkpoints live: `models/` in the repository, or `$TEXTLAB_MODELS`."""
    return Path(os.environ.get("TEXTLAB_MODELS", REPO_ROOT / "models"))


def cache_dir() -> Path:
    """Where downloads are kept: `$TEXTLAB_CACHE`, by default `~/.cache/textlab`."""
    return Path(os.environ.get("TEXTLAB_CACHE", Path.home() / ".cache" / "textlab")).expanduser()


def tbbt_dir() -> Path:
    """The Big Bang Theory transcripts: on no registry, so a folder (see ../shared/data/tbbt/README.md)."""
    return Path(os.environ.get("TEXTLAB_TBBT_DIR", REPO_ROOT.parent / "shared" / "data" / "tbbt"))


def train_budget_s() -> float:
    """Seconds a quick model trains for (the models the app trains when a checkpoint is missing)."""
    return env_number("TEXTLAB_TRAIN_BUDGET", 240, 1)


def serve_host() -> str:
    return os.environ.get("TEXTLAB_HOST", "127.0.0.1")


def serve_port() -> int:
    return int(env_number("TEXTLAB_PORT", env_number("PORT", 7860, 1), 1))


def serve_share() -> bool:
    return os.environ.get("TEXTLAB_SHARE", "").strip().lower() in ("1", "true", "yes")


def serve_threads() -> int:
    return int(env_number("TEXTLAB_TORCH_THREADS", 1, 1))


def sessions() -> int:
    return int(env_number("TEXTLAB_SESSIONS", 1000, 1))


def lab_jobs() -> int:
    return int(env_number("TEXTLAB_LAB_JOBS", 1, 1))


def lab_time_cap_s() -> float:
    return env_number("TEXTLAB_LAB_TIME_CAP", 60, 10)


def file_max_age_s() -> float:
    return env_number("TEXTLAB_FILE_MAX_AGE", 3600, 1)


def device() -> str:
    return os.environ.get("TEXTLAB_DEVICE", "cpu").strip().lower() or "cpu"


def torchrun_world() -> tuple[int, int, int]:
    """RANK, WORLD_SIZE and LOCAL_RANK, which torchrun sets for each process it starts (0, 1, 0 without it)."""
    return tuple(
        int(os.environ.get(name, default)) for name, default in (("RANK", 0), ("WORLD_SIZE", 1), ("LOCAL_RANK", 0))
    )


def on_a_space() -> bool:
    """Running on a Hugging Face Space (which sets SPACE_ID)."""
    return bool(os.environ.get("SPACE_ID"))


def training_threads() -> int:
    """`$OMP_NUM_THREADS` where set, else the cores this process may run on (the machine's where the system cannot
    say, as on macOS)."""
    if os.environ.get("OMP_NUM_THREADS", "").strip().isdigit():
        return max(int(os.environ["OMP_NUM_THREADS"]), 1)
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1
