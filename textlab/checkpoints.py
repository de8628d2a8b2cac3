"""Checkpoints: a folder with safetensors weights, JSON side files, and a manifest that vouches for them.

    models/chat/
      model.safetensors   weights (no pickle anywhere)
      config.json         what rebuilds the network
      vocab.json, metrics.json, provenance.json, ...   whatever the capability keeps beside it
      tokenizer.model, ...   binary side files (never unpickled: the capability parses them itself)
      manifest.json       format version, kind, sha256 of every file above; written last

Each file is written atomically (temporary file + rename) and the manifest goes last, so a checkpoint interrupted
half-way fails its hash check on load instead of passing for a good one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_safetensors
from safetensors.torch import save as save_safetensors

from textlab.files import atomic_write_bytes, sha256_file

FORMAT_VERSION = 1
WEIGHTS = "model.safetensors"
MANIFEST = "manifest.json"
Model = TypeVar("Model")


class CheckpointError(RuntimeError):
    """A checkpoint is missing, corrupt or made for something else."""


@dataclass
class Checkpoint:
    kind: str
    tensors: dict[str, torch.Tensor]
    config: dict[str, Any]
    extras: dict[str, Any]  # the JSON side files by name: {"vocab": ..., "metrics": ...}
    created: str
    blobs: dict[str, bytes]  # the binary side files by file name


def save_checkpoint(
    folder: Path,
    kind: str,
    state_dict: dict[str, torch.Tensor],
    config: dict[str, Any],
    blobs: dict[str, bytes] | None = None,
    **extras: Any,
) -> None:
    """Write a checkpoint of `kind` into `folder`; each keyword becomes NAME.json beside the weights, and each
    of `blobs` a file of that name."""
    folder = Path(folder)
    tensors = {name: t.detach().cpu().contiguous() for name, t in state_dict.items()}
    files = {WEIGHTS: save_safetensors(tensors), "config.json": _json_bytes(config)}
    files.update({f"{name}.json": _json_bytes(value) for name, value in extras.items()})
    for name, data in (blobs or {}).items():
        if name in files or not name or Path(name).name != name:
            raise ValueError(f"a checkpoint cannot hold a side file named {name!r}")
        files[name] = data
    for name, data in files.items():
        atomic_write_bytes(folder / name, data)
    manifest = {
        "format": FORMAT_VERSION,
        "kind": kind,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": {name: sha256_file(folder / name) for name in files},
    }
    atomic_write_bytes(folder / MANIFEST, _json_bytes(manifest))


def load_checkpoint(folder: Path, kind: str) -> Checkpoint:
    """Read and verify a checkpoint; raises CheckpointError saying what is wrong and what to do."""
    folder = Path(folder)
    fix = f"delete {folder} to retrain it, or restore it from git"
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except FileNotFoundError:
        raise CheckpointError(f"no checkpoint in {folder} ({MANIFEST} is missing)") from None
    except (OSError, ValueError) as e:
        raise CheckpointError(f"{folder / MANIFEST} is unreadable: {e}; {fix}") from e
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise CheckpointError(f"{folder / MANIFEST} is not a checkpoint manifest; {fix}")
    if manifest.get("format") != FORMAT_VERSION or manifest.get("kind") != kind:
        raise CheckpointError(
            f"{folder} holds a {manifest.get('kind')!r} checkpoint of format {manifest.get('format')}, "
            f"expected {kind!r} of format {FORMAT_VERSION}; {fix}"
        )
    files = manifest["files"]
    for name in (WEIGHTS, "config.json"):
        if name not in files:
            raise CheckpointError(f"{folder / MANIFEST} does not list {name}; {fix}")
    for name, expected in files.items():
        if not isinstance(name, str) or Path(name).name != name:
            raise CheckpointError(f"{folder / MANIFEST} names a file outside the checkpoint: {name!r}; {fix}")
        path = folder / name
        if not path.is_file():
            raise CheckpointError(f"{path} is missing; {fix}")
        if sha256_file(path) != expected:
            raise CheckpointError(f"{path} does not match its manifest (corrupt or half-written); {fix}")
    try:
        tensors = load_safetensors((folder / WEIGHTS).read_bytes())
        side = {name[:-5]: json.loads((folder / name).read_text()) for name in files if name.endswith(".json")}
        blobs = {name: (folder / name).read_bytes() for name in files if name != WEIGHTS and name[-5:] != ".json"}
    except (SafetensorError, ValueError, OSError) as e:
        raise CheckpointError(f"{folder} could not be read: {e}; {fix}") from e
    config = side.pop("config")
    return Checkpoint(kind, tensors, config, side, manifest.get("created", ""), blobs)


def load_model(folder: Path, kind: str, build: Callable[[Checkpoint], Model]) -> Model:
    """Read and verify the checkpoint of `kind` in `folder`, then `build` the model from it. A checkpoint whose
    contents do not fit what `build` expects (a missing key, a wrong shape) raises CheckpointError too."""
    ckpt = load_checkpoint(folder, kind)
    try:
        return build(ckpt)
    except (KeyError, TypeError, ValueError, RuntimeError) as e:
        raise CheckpointError(f"{folder} does not fit this version of the {kind} model: {e}") from e


def _json_bytes(value: Any) -> bytes:
    return (json.dumps(value, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
