"""Importers for mapping tables kept in other tools' formats.

- Vale `substitution` rules: a YAML file whose `swap:` maps "spun|alternative" to
  the replacement(s).
- The Problematic Paper Screener CSV export: "Fingerprint - Tortured Phrase" holds a
  search query ("a b" OR "c d", NOT …, "a b"~2); "Expected Text" the right term(s).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from detector.tables.entries import Entry, TableError

PPS_PHRASE_COLUMN = "Fingerprint - Tortured Phrase"
PPS_EXPECTED_COLUMN = "Expected Text"
QUERY_OR = re.compile(r"\s+OR\s+|\s*\|\s*")
QUERY_NOT = re.compile(r"\s+(?:AND\s+)?NOT\s+.*$", re.DOTALL)
QUERY_AND = re.compile(r"\s+AND\s+")
PROXIMITY = re.compile(r"~\d+")
REGEX_SYNTAX = re.compile(r"[\\^$()\[\]{}*+?.]")


def _clean_phrase(phrase: str) -> str:
    return " ".join(phrase.replace('"', " ").split()).lower()


def read_vale(path: Path, text: str) -> list[Entry]:
    import yaml

    try:
        rule = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise TableError(f"{path}{where}: invalid YAML: {getattr(error, 'problem', error)}") from None
    if not isinstance(rule, dict) or not isinstance(rule.get("swap"), dict):
        raise TableError(f"{path}: not a Vale substitution rule (no 'swap:' mapping)")
    entries = []
    for spun_alternatives, replacement in rule["swap"].items():
        canonical = tuple(c.strip() for c in str(replacement).split("|") if c.strip())
        for spun in str(spun_alternatives).split("|"):
            # Vale keys may be regular expressions; plain phrases are all a table can match.
            if canonical and spun.strip() and not REGEX_SYNTAX.search(spun):
                entries.append(Entry(_clean_phrase(spun), canonical, f"vale:{path.name}"))
    return entries


def read_pps_csv(path: Path, text: str) -> list[Entry]:
    reader = csv.DictReader(io.StringIO(text))
    columns = reader.fieldnames or []
    if PPS_PHRASE_COLUMN not in columns or PPS_EXPECTED_COLUMN not in columns:
        raise TableError(f"{path}: expected CSV columns {PPS_PHRASE_COLUMN!r} and {PPS_EXPECTED_COLUMN!r}")
    entries = []
    for row in reader:
        expected = tuple(
            c for c in (_clean_phrase(part) for part in QUERY_OR.split(row[PPS_EXPECTED_COLUMN] or "")) if c
        )
        query = QUERY_NOT.sub("", PROXIMITY.sub("", row[PPS_PHRASE_COLUMN] or ""))
        for alternative in QUERY_OR.split(query):
            # "a" AND "b" is no contiguous phrase, so it cannot become a table entry.
            phrase = _clean_phrase(alternative)
            if phrase and expected and not QUERY_AND.search(alternative):
                entries.append(Entry(phrase, expected, f"pps:{path.name}"))
    return entries
