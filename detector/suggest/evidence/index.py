"""The suggestion engine's look-up tables in one SQLite file in the cache folder.

Loading the thesaurus, its reverse index, the lexicon's stand-ins, the collocation
counts, wordfreq's frequencies and lemminflect's tables (0.35 s of it) into memory took
about 2 s per process, longer than checking an 800-word article, while the suggestions
for an article read a few thousand rows. So they are built once per data version
(`suggest-<digest>.sqlite`, about 9 s, written to a temporary file and renamed into place)
and read row by row, each row cached in memory. A damaged file is rebuilt; where the cache
folder cannot be written, the tables are built in memory for the process.
"""

from __future__ import annotations

import hashlib
import json
import math
import sqlite3
import sys
from functools import lru_cache
from importlib import resources
from pathlib import Path

from detector import atomic
from detector.words import LOWER_COMPOUND, wordfreq_frequency

FORMAT = "3"
SOURCES = ("thesaurus.tsv.gz", "lexicon.tsv", "collocations.tsv.gz")
TABLES = ("thesaurus", "originals", "stand_ins", "words", "pairs", "triples", "frequencies", "lemmas", "inflections")
SEPARATOR = "|"


class Lookup:
    """One table of the index as a read-only mapping: key → decoded value, or default."""

    def __init__(self, connection: sqlite3.Connection, table: str, decode):
        self._connection = connection
        self._query = f"SELECT value FROM {table} WHERE key = ?"
        self._decode = decode
        self._row = lru_cache(maxsize=100_000)(self._read)

    def _read(self, key: str):
        row = self._connection.execute(self._query, (key,)).fetchone()
        return None if row is None else self._decode(row[0])

    def get(self, key: str, default=None):
        value = self._row(key)
        return default if value is None else value

    def __contains__(self, key: str) -> bool:
        return self._row(key) is not None


def _entries(value: str) -> dict[str, tuple[str, ...]]:
    return {pos: tuple(synonyms) for pos, synonyms in json.loads(value).items()}


def _word_set(value: str) -> frozenset[str]:
    return frozenset(value.split(SEPARATOR))


class SuggestionIndex:
    def __init__(self, connection: sqlite3.Connection):
        self.thesaurus = Lookup(connection, "thesaurus", _entries)
        self.originals = Lookup(connection, "originals", _word_set)
        self.stand_ins = Lookup(connection, "stand_ins", _word_set)
        self.words = Lookup(connection, "words", int)
        self.pairs = Lookup(connection, "pairs", int)
        self.triples = Lookup(connection, "triples", int)
        self._frequencies = Lookup(connection, "frequencies", float)
        # lemminflect's own tables, served row by row (see inflection.read_lemminflect_tables_from)
        self.lemmas = Lookup(connection, "lemmas", _entries)
        self.inflections = Lookup(connection, "inflections", _entries)
        self.total_words = int(connection.execute("SELECT value FROM meta WHERE key = 'total_words'").fetchone()[0])

    def frequency(self, word: str) -> float:
        """wordfreq's frequency of a word. Stored for every word of wordfreq's list and of
        the tables; a plain word that is neither is one wordfreq does not know (0); a
        compound of plain words gets wordfreq's combination of its parts; only other words
        (numbers, accents) need wordfreq itself, whose import and list take 0.25 s."""
        found = self._frequencies.get(word)
        if found is not None:
            return found
        if LOWER_COMPOUND.fullmatch(word):  # plain words, which wordfreq splits at hyphens
            if "-" not in word:
                return 0.0
            return combined_frequency([self._frequencies.get(part, 0.0) for part in word.split("-")])
        return wordfreq_frequency(word)


def combined_frequency(parts: list[float]) -> float:
    """wordfreq's frequency of a phrase from its words' (1/f = 1/f1 + 1/f2 + ..., to three
    significant digits; 0 if a word is unknown). The parts are themselves rounded, so
    the result can differ from wordfreq's in the third digit."""
    if not parts or min(parts) <= 0:
        return 0.0
    frequency = 1 / sum(1 / part for part in parts)
    return round(frequency, math.floor(-math.log10(frequency)) + 3)


def _fill(connection: sqlite3.Connection, thesaurus, lexicon, collocations, known_words) -> None:
    from detector.inflection import lemminflect_tables
    from detector.suggest.evidence.collocations import tokens
    from detector.suggest.sources.lexicon import lexicon_stand_ins
    from detector.suggest.sources.words import reverse_thesaurus

    # the words known to wordfreq, and those the candidates and their neighbours are made of
    vocabulary = {*known_words, *collocations.words, *thesaurus.entries}
    for text in [*thesaurus.entries, *(term.text for term in lexicon)]:
        vocabulary.update(tokens(text))
    lemmas, inflections = lemminflect_tables()
    rows = {
        "thesaurus": ((word, json.dumps(by_pos)) for word, by_pos in thesaurus.entries.items()),
        "originals": ((word, SEPARATOR.join(sorted(heads))) for word, heads in reverse_thesaurus(thesaurus).items()),
        "stand_ins": ((word, SEPARATOR.join(sorted(words))) for word, words in lexicon_stand_ins(lexicon, thesaurus).items()),
        "words": collocations.words.items(),
        "pairs": collocations.pairs.items(),
        "triples": collocations.triples.items(),
        "frequencies": ((word, wordfreq_frequency(word)) for word in sorted(vocabulary)),
        "lemmas": ((word, json.dumps(by_pos)) for word, by_pos in lemmas.items()),
        "inflections": ((lemma, json.dumps(by_tag)) for lemma, by_tag in inflections.items()),
    }
    for table in TABLES:
        connection.execute(f"CREATE TABLE {table} (key TEXT PRIMARY KEY, value) WITHOUT ROWID")
        connection.executemany(f"INSERT INTO {table} VALUES (?, ?)", rows[table])
    connection.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID")
    connection.execute("INSERT INTO meta VALUES ('total_words', ?)", (collocations.total,))
    connection.commit()


def _build(path: Path, sources) -> None:
    with atomic.replacing(path, tidy=True) as temporary:  # concurrent builders write the same content
        connection = sqlite3.connect(temporary)
        try:
            _fill(connection, *sources())
        finally:
            connection.close()


def open_index(path: Path, sources) -> SuggestionIndex:
    """The index in `path`, built first (or again, if damaged) from `sources()`: (thesaurus,
    lexicon, collocations, the words wordfreq knows). Where `path` cannot be written, the
    index is built in memory."""

    def read() -> SuggestionIndex:
        # immutable: the file is never written once renamed into place, so no locking; the
        # one connection serves every thread of the process (`unspin serve` checks in a
        # thread pool), which SQLite's serialized threading mode makes safe
        return SuggestionIndex(_shared(sqlite3.connect(path.resolve().as_uri() + "?mode=ro&immutable=1", uri=True, check_same_thread=False)))

    try:
        try:
            return read()
        except sqlite3.DatabaseError:  # missing or damaged
            print("unspin: building the suggestion index (once; about 10 s)…", file=sys.stderr)
            _build(path, sources)
            return read()
    except OSError:
        connection = _shared(sqlite3.connect(":memory:", check_same_thread=False))
        _fill(connection, *sources())
        return SuggestionIndex(connection)


def _shared(connection: sqlite3.Connection) -> sqlite3.Connection:
    """`connection`, refused unless this SQLite serializes calls from several threads."""
    if sqlite3.threadsafety != 3:
        connection.close()
        raise RuntimeError(f"SQLite {sqlite3.sqlite_version} is not built thread-safe (serialized)")
    return connection


def shipped_sources():
    from wordfreq import get_frequency_dict

    from detector.lexicon import shipped_lexicon
    from detector.suggest.evidence.collocations import shipped_collocations
    from detector.thesaurus import shipped_thesaurus

    return shipped_thesaurus(), shipped_lexicon(), shipped_collocations(), get_frequency_dict("en")


@lru_cache(maxsize=1)
def shipped_index(cache_dir: Path) -> SuggestionIndex:
    """The index of the shipped data, for this unspin version and lemmatiser (stand-ins use
    its lemmas)."""
    import lemminflect  # its version, not importlib.metadata's (which imports email, socket, ...)

    from detector import __version__

    digest = hashlib.sha256(f"{FORMAT}\0{__version__}\0{lemminflect.__version__}".encode())
    folder = resources.files("detector") / "data"
    for name in SOURCES:
        digest.update((folder / name).read_bytes())
    return open_index(cache_dir / f"suggest-{digest.hexdigest()[:16]}.sqlite", shipped_sources)
