"""QUAL005 invisible character: zero-width spaces and joiners, word joiners, soft hyphens
and stray byte-order marks inside the text.

Why: they break search, spell-checking and copy-paste, and are used to fingerprint or
disguise copied text. A byte-order mark at the very start of a file is left alone.
The fix is to delete them.
"""

from __future__ import annotations

import re

from detector.detectors.quality._finding import finding
from detector.findings import Rule

RULE = Rule("QUAL005", "invisible-character", "warning", "Zero-width or other invisible characters inside the text.", safe_fix=True, issue_type="whitespace")
INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\u00ad\ufeff\u180e]+")


def check(text: str):
    found = []
    for match in INVISIBLE.finditer(text):
        if match.start() == 0 and match.group() == "\ufeff":
            continue
        names = ", ".join(sorted({f"U+{ord(c):04X}" for c in match.group()}))
        found.append(finding(RULE, match.start(), match.end(), f"invisible character {names}", ""))
    return found
