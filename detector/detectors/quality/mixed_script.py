"""QUAL001 mixed-script word: a Cyrillic or Greek look-alike letter inside a Latin word.

Why: scrapers and plagiarists swap letters for homoglyphs ("Mosсow" with a Cyrillic с)
to dodge duplicate detection and search; the word looks right but is no longer the
word. Words written wholly in Cyrillic or Greek are left alone. The fix (ASCII
spelling) is certain when every foreign letter has a Latin twin.
"""

from __future__ import annotations

import unicodedata

from detector.detectors.quality._finding import finding
from detector.findings import Rule
from detector.words import LETTERS

RULE = Rule("QUAL001", "mixed-script-word", "error", "A Cyrillic or Greek look-alike letter hides inside a Latin word.", safe_fix=True, issue_type="typographical")
LOOKALIKES = str.maketrans(
    "аеорсухіјѕԁԛԝһӏвкмнтАВЕКМНОРСТХІЈЅУԌοαενρτυχικΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
    "aeopcyxijsdqwhlBKMHTABEKMHOPCTXIJSYGoaevptuxikABEZHIKMNOPTYX",
)


def _script(char: str) -> str:
    name = unicodedata.name(char, "")
    for script in ("LATIN", "CYRILLIC", "GREEK"):
        if name.startswith(script):
            return script
    return "OTHER"


def check(text: str):
    found = []
    if text.isascii():
        return found
    for match in LETTERS.finditer(text):
        word = match.group()
        if word.isascii():
            continue
        scripts = {_script(c) for c in word}
        if "LATIN" in scripts and scripts & {"CYRILLIC", "GREEK"}:
            fixed = word.translate(LOOKALIKES)
            certain = all(_script(c) == "LATIN" for c in fixed)
            foreign = ", ".join(sorted({f"{c} (U+{ord(c):04X})" for c in word if _script(c) in ("CYRILLIC", "GREEK")}))
            found.append(finding(RULE, match.start(), match.end(), f"look-alike letters {foreign} in a Latin word", fixed if certain else None))
    return found
