"""QUAL006 fused sentences: a paragraph or headline run into the next sentence
("…a deal that worries Brussels The minister said…").

Why: scrapers and spinners drop the line breaks between paragraphs and after
headlines. The sign is a sentence opener ("The", "He", "But", ...) with a capital in
mid-sentence, followed by a lower-case word: "The Times" or "The Who" (a capitalised
next word) are names, not fused sentences. The break is likely but not certain, so
the suggestion scores below 1.
"""

from __future__ import annotations

import re

from detector.detectors.quality._finding import finding
from detector.findings import Rule

RULE = Rule("QUAL006", "fused-sentences", "warning", "Two sentences or a headline and a sentence run together.", issue_type="grammar")
OPENERS = "The|A|An|He|She|They|We|It|This|These|Those|But|However|Meanwhile|Mr|Mrs|Ms|Its|His|Her|Their"
FUSED = re.compile(rf"(?<=[A-Za-z0-9%)])(?P<gap>[ \t]+)(?P<opener>{OPENERS})(?=[ \t]+[a-z])")
# Words after which a capitalised opener is normal: "by The ...", quotes and titles.
AFTER_OK = re.compile(r"(?:\b(?:of|by|from|in|on|at|and|or|said|says|told|called|named|titled|dubbed|read|see|like|for|with|to|as|is|was|were|via|and|plus))$", re.IGNORECASE)


def check(text: str):
    found = []
    for match in FUSED.finditer(text):
        before = text[max(0, match.start() - 20) : match.start()]
        if AFTER_OK.search(before):
            continue
        previous = re.search(r"\S+$", before)
        start = match.start() - (len(previous.group()) if previous else 0)
        end = match.end("opener")
        fix = text[start : match.start()] + ". " + match.group("opener")
        found.append(finding(RULE, start, end, "missing sentence break: two sentences run together", fix, score=0.7))
    return found
