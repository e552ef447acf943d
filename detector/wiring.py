"""Config → pipeline: the tables, detectors and suggesters a configuration asks for,
each loaded once and only when wanted. The CLI, the server, the batch actors and the
worker processes all build their pipelines here."""

from __future__ import annotations

import functools
import sys

from detector.config import Config
from detector.pipeline import Pipeline
from detector.suggest.assembly import LM_MISSING, build_suggester, channel_candidates, language_model
from detector.tables import MappingTable, TableError, load_table, shipped_table_paths

FULL_MISSING = "mode = full, but "  # then what is missing and how to install it
TABLES_THRESHOLD = 0.5  # with no calibrated detector (tables only): a table entry scores 0.9 or 0.97


def load_tables(config: Config) -> tuple[MappingTable, list[str]]:
    """The shipped tables plus the configured ones; unreadable tables become error lines."""
    from detector.cache import default_cache_dir

    table = MappingTable()
    errors = []
    for path in [*shipped_table_paths(), *config.tables]:
        try:
            table.extend(load_table(path, default_cache_dir()))
        except TableError as error:
            errors.append(str(error))
    return table, errors


def build_pipeline(config: Config, threads: int | None = None, table: bool = True, screen: float | None = None) -> tuple[Pipeline, list[str]]:
    """The pipeline for `config`; `threads`: the model's CPU threads (default: all cores);
    without `table`, no mapping-table detector (to measure the others alone); `screen`:
    the language model reads only documents the fast detectors score at least this."""
    from detector.detectors.quality import QualityDetector
    from detector.detectors.table import TableDetector
    from detector.detectors.quality import RULE_MODULES

    tables, errors = load_tables(config)
    detectors = [TableDetector(tables)] if table else []
    detectors += [QualityDetector({m.RULE.code for m in RULE_MODULES if not config.reports(m.RULE.code)})]
    default_threshold = TABLES_THRESHOLD
    model = None
    if config.model:
        model, error = load_shipped_model(config.int8, threads)
        if error:
            errors.append(error)
        elif model:
            default_threshold = model.settings.threshold
    channel = None
    if config.mode == "full" and config.model:
        channel, error = build_channel_detector(focus=tagged_words(model) if model else None)
        if channel is not None:
            detectors.append(channel)
            default_threshold = channel.calibration.threshold
        elif config.origin_of("mode") == "default":
            _say_once(f"unspin: checking in fast mode: the language model that reads each article is missing; {error.removeprefix(FULL_MISSING)}")
        else:
            errors.append(error)
    if model and (channel is None or screen is not None):
        from detector.detectors.model import ModelDetector

        # Where the language model reads, the tagger only chooses where it looks: its own
        # findings are right for under half of real tortured phrases (docs/experiments.md);
        # with a screen they stand for the documents it does not read.
        detectors.append(ModelDetector(model, superseded=channel is not None, threshold=config.threshold))
    suggester, error = build_suggester(tables, config.lm_suggestions, model)
    if error:
        errors.append(error)
    return Pipeline(config, detectors, [suggester], default_threshold, screen), errors


def tagged_words(model):
    """The span tagger's suspect words in each text, for the channel detector to rescore."""
    return lambda texts: model.word_probabilities(texts, at_least=model.settings.word_threshold)


def build_channel_detector(calibration=None, focus=None):
    """(the channel detector, None) or (None, error line) when its language model is
    missing; `calibration`: the shipped one (data/channel.json) unless given; `focus`: the
    tagger's suspect words (ChannelDetector)."""
    from detector.cache import default_cache_dir
    from detector import language_model as engine
    from detector import ngram
    from detector.detectors.channel import Calibration, ChannelDetector

    if not engine.available(default_cache_dir()):
        return None, FULL_MISSING + LM_MISSING
    if not ngram.available():
        return None, FULL_MISSING + ngram.MISSING
    return ChannelDetector(language_model, channel_candidates, calibration or Calibration.shipped(), engine.NAME, focus, ngram.shipped_trigrams()), None


@functools.cache
def _say_once(message: str) -> None:
    print(message, file=sys.stderr)


def load_shipped_model(int8: bool = False, threads: int | None = None):
    """(SpanModel or None, error line or None) for the newest model version in models/."""
    from detector.model.store import ModelError, shipped_model_dir

    folder = shipped_model_dir()
    if folder is None:
        return None, None
    from detector.model.span_model import SpanModel

    try:
        return SpanModel.load(folder, int8=int8, threads=threads), None
    except ModelError as error:
        return None, str(error)
    except Exception as error:  # an export or runtime failure must not become a traceback
        return None, f"{folder}: cannot load model: {type(error).__name__}: {error}"


def default_threshold(config: Config) -> tuple[float, str]:
    """The threshold a check with `config` uses when none is set, and whose it is, read
    from the shipped files without loading a model (`unspin config`, `unspin rule`)."""
    from detector.model.store import load_settings, shipped_model_dir

    # the channel detector loads its language model only when it first reads
    channel = build_channel_detector()[0] if config.mode == "full" and config.model else None
    if channel is not None:
        return channel.calibration.threshold, "the language model's reading, calibrated in data/channel.json"
    folder = shipped_model_dir() if config.model else None
    if folder is not None:
        return load_settings(folder, config.int8).threshold, f"the span tagger's in fast mode, calibrated in {folder.name}"
    return TABLES_THRESHOLD, "tables only (no model)"
