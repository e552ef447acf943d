"""QUAL008 doubled word: the same word twice in a row ("the the").

Why: spinners and hurried edits leave duplicated words that spell-checkers pass. A few
doublings are grammatical ("had had", "that that") and are not reported. The fix drops
the second copy.
"""

from __future__ import annotations

import re

from detector.detectors.quality._finding import finding
from detector.findings import Rule

RULE = Rule("QUAL008", "doubled-word", "warning", "The same word twice in a row.", issue_type="duplication")
DOUBLED = re.compile(r"\b(?P<word>[^\W\d_]+)(?P<gap>[ \t]+|[ \t]*\n[ \t]*)(?P=word)\b", re.IGNORECASE)
GRAMMATICAL = {"had", "that", "is", "bye", "no", "very", "so", "far", "ha", "knock", "really", "many", "long"}


def check(text: str):
    found = []
    for match in DOUBLED.finditer(text):
        word = match.group("word")
        if word.lower() in GRAMMATICAL:
            continue
        found.append(finding(RULE, match.start(), match.end(), f'"{word}" is repeated', word))
    return found
