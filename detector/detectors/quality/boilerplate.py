"""QUAL007 boilerplate line: "Read also:", "Read more:", "Also read:", "Related:", photo
credits and captions left inside the article body.

Why: scraped pages keep the site's navigation and credit lines, which have no place in
a republished article. Reported as info: an editor decides whether to keep them.
"""

from __future__ import annotations

import re

from detector.detectors.quality._finding import finding
from detector.findings import Rule

RULE = Rule("QUAL007", "boilerplate-line", "info", "A navigation or credit line (\"Read more:\", photo credit) inside the text.", issue_type="non-conformance")
LINE = re.compile(
    r"^[ \t]*(?:(?:read (?:also|more)|also read|see also|related(?: articles?| stories)?|recommended|advertisement)\b[ \t]*[:\-–—]?"
    r"|(?:photo|image|picture)(?: credit| copyright| caption)?[ \t]*[:\-–—]|\(?(?:photo|image|picture) (?:by|courtesy of|credit)\b"
    r"|(?:getty images|reuters/|ap photo|afp photo)\b).*$",
    re.IGNORECASE | re.MULTILINE,
)
# A caption whose credit closes the line: "…, 13 September 2023. PHOTO AFP".
CREDIT = re.compile(
    r"^[ \t]*\S.*?[ \t(](?:PHOTO|Photo|photo|PICTURE|Picture|IMAGE|Image)[ \t]*[:/|]?[ \t]*"
    r"(?:AFP|AP|REUTERS|Reuters|EPA|Getty Images|Xinhua|Bloomberg|PA|ANP|ANSA)(?:/[^\n]*?)?\)?\.?[ \t]*$",
    re.MULTILINE,
)


def check(text: str):
    found, seen = [], set()
    for match in sorted([*LINE.finditer(text), *CREDIT.finditer(text)], key=lambda m: m.start()):
        if match.start() in seen:
            continue
        seen.add(match.start())
        start = match.start() + len(match.group()) - len(match.group().lstrip())
        end = match.start() + len(match.group().rstrip())
        if end > start:
            found.append(finding(RULE, start, end, "boilerplate line: navigation or credit text"))
    return found
