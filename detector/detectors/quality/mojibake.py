"""QUAL002 mojibake: text decoded with the wrong encoding ("donâ€™t", "CafÃ©").

Why: copy-paste through a CMS or scraper that mixes UTF-8 and Windows-1252 garbles
every quote, dash and accent, and readers notice at once. ftfy decides whether a run
is mojibake and gives the repaired text, which is the fix.
"""

from __future__ import annotations

import re

import ftfy
from ftfy.badness import is_bad

from detector.detectors.quality._finding import finding
from detector.findings import Rule

RULE = Rule("QUAL002", "mojibake", "error", "Text garbled by a wrong character encoding (mojibake).", safe_fix=True, issue_type="typographical")
RUN = re.compile(r"(?<!\S)\S*[^\x00-\x7f]\S*")  # tried from run starts only: linear, not quadratic


def check(text: str):
    found = []
    if text.isascii():
        return found
    for match in RUN.finditer(text):
        run = match.group()
        if is_bad(run):
            fixed = ftfy.fix_encoding(run)
            if fixed != run:
                found.append(finding(RULE, match.start(), match.end(), "mojibake: wrongly decoded characters", fixed))
    return found
