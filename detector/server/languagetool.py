"""LanguageTool's HTTP API (v2), spoken over unspin's findings.

LanguageTool clients (browser extensions, ltex-ls, the Obsidian and LibreOffice plugins,
language-tool-python) send `text`, or `data`: annotated text whose `markup` parts the
checker must skip but whose offsets still count. They read offsets and lengths in UTF-16
code units (Java's strings). This module turns a request's fields into the text to check
and unspin's findings (code points into that text) into LanguageTool matches.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from detector.findings import Finding
from detector.rules import SPUN_PHRASE, all_rules
from detector.words import LETTERS

LANGUAGES = [
    {"name": "English", "code": "en", "longCode": "en"},
    {"name": "English (US)", "code": "en", "longCode": "en-US"},
    {"name": "English (GB)", "code": "en", "longCode": "en-GB"},
    {"name": "English (Australian)", "code": "en", "longCode": "en-AU"},
    {"name": "English (Canadian)", "code": "en", "longCode": "en-CA"},
    {"name": "English (New Zealand)", "code": "en", "longCode": "en-NZ"},
    {"name": "English (South African)", "code": "en", "longCode": "en-ZA"},
]
LONG_CODES = {entry["longCode"].lower(): entry for entry in LANGUAGES}
CONTEXT_CHARS = 40
# language=auto: English where at least this share of the first WORDS_READ words are
# commoner in English than in any of OTHER_LANGUAGES (English news and papers: 0.85 and
# more; German, French, Spanish prose: 0.0)
ENGLISH_SHARE = 0.5
WORDS_READ = 500
OTHER_LANGUAGES = ("de", "fr", "es", "it", "pt", "nl")
# LanguageTool's categories for unspin's rules (each rule names its own issue type).
SPUN_CATEGORY = {"id": "UNSPIN_SPUN", "name": "Spun phrasing"}
QUALITY_CATEGORY = {"id": "UNSPIN_QUALITY", "name": "Text quality"}
SENTENCE = re.compile(r"[^.!?\n]*(?:[.!?]+[\"”’')\]]*|\n|$)")


class RequestError(ValueError):
    """A request LanguageTool would answer with 400; the message says why."""


@dataclass
class Annotated:
    """The text to check, and where each of its characters sits in the client's document."""

    text: str
    original: str
    # original[positions[i]] is text[i] for checked characters; markup stand-ins map to
    # the start of their markup.
    positions: list[int]
    # (start, end) in `text` of each run of real text (not markup).
    runs: list[tuple[int, int]]

    @classmethod
    def plain(cls, text: str) -> Annotated:
        return cls(text, text, list(range(len(text) + 1)), [(0, len(text))])

    @classmethod
    def from_data(cls, data: str) -> Annotated:
        """LanguageTool's `data` field: {"annotation": [{"text": …} | {"markup": …, "interpretAs": …}]}."""
        try:
            parsed = json.loads(data)
        except ValueError as error:
            raise RequestError(f"data is not JSON: {error}") from None
        except RecursionError:
            raise RequestError("data is nested too deeply") from None
        parts = parsed.get("annotation") if isinstance(parsed, dict) else None
        if not isinstance(parts, list):
            raise RequestError('data must be {"annotation": [...]}')
        text, original, positions, runs = [], [], [], []
        offset = checked = 0
        for part in parts:
            if not isinstance(part, dict) or not (isinstance(part.get("text"), str) or isinstance(part.get("markup"), str)):
                raise RequestError('each annotation part needs a "text" or a "markup" string')
            if isinstance(part.get("text"), str):
                piece = part["text"]
                text.append(piece)
                positions.extend(range(offset, offset + len(piece)))
                runs.append((checked, checked + len(piece)))
                checked += len(piece)
            else:
                piece = part["markup"]
                stand_in = part.get("interpretAs") or ""
                if not isinstance(stand_in, str):
                    raise RequestError("interpretAs must be a string")
                text.append(stand_in)
                positions.extend([offset] * len(stand_in))
                checked += len(stand_in)
            original.append(piece)
            offset += len(piece)
        positions.append(offset)
        return cls("".join(text), "".join(original), positions, runs)

    def place(self, start: int, end: int) -> tuple[int, int] | None:
        """The finding `start:end` of the checked text in the original, clipped to the run
        of real text it starts in (a span never crosses markup); None inside markup."""
        for run_start, run_end in self.runs:
            if run_start <= start < run_end:
                end = min(end, run_end)
                return self.positions[start], self.positions[end - 1] + 1
        return None


def utf16_offset(text: str, index: int) -> int:
    """Code-point index → UTF-16 code units (characters past U+FFFF count twice)."""
    return index + sum(1 for ch in text[:index] if ord(ch) > 0xFFFF)


def language(code: str | None, text: str = "") -> dict:
    """The LanguageTool language object for `code`; only English is checked. For "auto",
    `text` must read as English (english_share), whose share is the confidence given."""
    code = (code or "").strip()
    if not code:
        raise RequestError("Missing 'language' parameter, e.g. 'language=en-US' or 'language=auto'")
    if code.lower() == "auto":
        share = english_share(text)
        if share < ENGLISH_SHARE:
            raise RequestError(f"language=auto: the text does not read as English (only {share:.0%} of its words are commonest in English); unspin checks English only")
        entry = LONG_CODES["en-us"]
        return {"name": entry["name"], "code": entry["longCode"], "detectedLanguage": {"name": entry["name"], "code": entry["longCode"], "confidence": round(share, 2)}}
    entry = LONG_CODES.get(code.lower()) or (LONG_CODES["en"] if code.lower().split("-")[0] == "en" and "-" not in code else None)
    if entry is None:
        raise RequestError(f"'{code}' is not a language code known to unspin: it checks English only (en, en-US, en-GB, …)")
    return {"name": entry["name"], "code": entry["longCode"], "detectedLanguage": {"name": entry["name"], "code": entry["longCode"], "confidence": 1.0}}


def english_share(text: str) -> float:
    """The share of the text's words (up to the first WORDS_READ) that wordfreq finds in
    English at least as often as in any of OTHER_LANGUAGES ("die" and "le" are English
    words too, but commoner elsewhere); 1.0 for a text without words, which has nothing
    to refuse."""
    from wordfreq import word_frequency

    words = LETTERS.findall(text.lower())[:WORDS_READ]
    if not words:
        return 1.0
    english = 0
    for word in words:
        here = word_frequency(word, "en")
        english += here > 0 and here >= max(word_frequency(word, other) for other in OTHER_LANGUAGES)
    return english / len(words)


def rule_filter(disabled: str | None, enabled: str | None, enabled_only: str | None):
    """A predicate over rule codes from LanguageTool's disabledRules / enabledRules / enabledOnly."""
    known = {rule.code for rule in all_rules()}
    off = {code.strip() for code in (disabled or "").split(",") if code.strip()}
    on = {code.strip() for code in (enabled or "").split(",") if code.strip()}
    only = (enabled_only or "").lower() == "true"
    if only and not on:
        raise RequestError("enabledOnly=true needs enabledRules")
    unknown = sorted(code for code in on if code not in known)
    if unknown and only:
        raise RequestError(f"unknown rule id(s) in enabledRules: {', '.join(unknown)}")
    return lambda code: (code in on) if only else (code not in off)


def _sentence(text: str, start: int, end: int) -> str:
    for match in SENTENCE.finditer(text):
        if match.start() <= start < max(match.end(), match.start() + 1):
            return text[match.start() : max(match.end(), end)].strip()
    return text[start:end]


def matches(findings: list[Finding], annotated: Annotated, keep) -> list[dict]:
    """LanguageTool matches for `findings` (positions in `annotated.text`)."""
    rules = {rule.code: rule for rule in all_rules()}
    original = annotated.original
    found = []
    for finding in findings:
        if not keep(finding.rule):
            continue
        placed = annotated.place(finding.start, finding.end)
        if placed is None:
            continue
        start, end = placed
        rule = rules.get(finding.rule)
        context_start, context_end = max(0, start - CONTEXT_CHARS), min(len(original), end + CONTEXT_CHARS)
        context = original[context_start:context_end]
        offset = utf16_offset(original, start)
        found.append(
            {
                "message": finding.message,
                "shortMessage": rule.name.replace("-", " ") if rule else finding.rule,
                "replacements": [{"value": s.text} for s in finding.suggestions],
                "offset": offset,
                "length": utf16_offset(original, end) - offset,
                "context": {
                    "text": context,
                    "offset": utf16_offset(context, start - context_start),
                    "length": utf16_offset(context, end - context_start) - utf16_offset(context, start - context_start),
                },
                "sentence": _sentence(annotated.text, finding.start, finding.end),
                "type": {"typeName": "Other"},
                "rule": {
                    "id": finding.rule,
                    "description": rule.summary if rule else finding.rule,
                    "issueType": rule.issue_type if rule else "uncategorized",
                    "category": SPUN_CATEGORY if rule is SPUN_PHRASE else QUALITY_CATEGORY,
                },
                "ignoreForIncompleteSentence": False,
                "contextForSureMatch": 0,
            }
        )
    return found


def response(found: list[dict], lang: dict, version: str) -> dict:
    return {
        "software": {"name": "unspin", "version": version, "buildDate": None, "apiVersion": 1, "premium": False, "status": ""},
        "warnings": {"incompleteResults": False},
        "language": lang,
        "matches": found,
    }
