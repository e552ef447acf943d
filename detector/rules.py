"""The catalogue of rule codes: stable ids, names, default severities and summaries.

Reporters list it (SARIF's driver rules); config's `disable` takes these codes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str
    summary: str
    safe_fix: bool = False  # its suggestion is a certain repair (findings.Suggestion.safe)


SPUN_PHRASE = Rule(
    "SPUN001",
    "spun-phrase",
    "error",
    "Machine-spun phrase: a standard term replaced word by word with thesaurus synonyms.",
)


def all_rules() -> list[Rule]:
    from detector.quality import QUALITY_RULES

    return [SPUN_PHRASE, *QUALITY_RULES]
