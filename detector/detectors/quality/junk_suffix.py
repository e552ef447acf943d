"""QUAL003 junk after a sentence: digits or code glued to a sentence end ("Friday.4471").

Why: scraped and spun pages carry tracking numbers, footnote ids and ad-slot codes
stuck to the last word of a sentence. A full stop followed directly by digits and then
a space or the end of the line is never prose (decimals have digits on both sides).
"""

from __future__ import annotations

import re

from detector.detectors.quality._finding import finding
from detector.findings import Rule

RULE = Rule("QUAL003", "junk-after-sentence", "warning", "Digits or code glued to the end of a sentence.", issue_type="typographical")
GLUED = re.compile(r"(?<=[A-Za-z)\"”][.!?])(\d{2,}|[A-Za-z]*\d[A-Za-z\d]{3,})(?=\s|$)")


def check(text: str):
    return [finding(RULE, m.start(), m.end(), f'"{m.group()}" is glued to the end of a sentence', "") for m in GLUED.finditer(text)]
