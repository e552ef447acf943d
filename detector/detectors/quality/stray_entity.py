"""QUAL004 stray markup entity: "&amp;", "&nbsp;" or "&#8217;" left as literal text.

Why: text copied out of HTML, or escaped twice, shows entities to the reader. In HTML
and Markdown files the readers decode real entities first, so whatever is left here
is literal text; the fix is the character the entity stands for.
"""

from __future__ import annotations

import html
import re

from detector.detectors.quality._finding import finding
from detector.findings import Rule

RULE = Rule("QUAL004", "stray-entity", "warning", "An HTML entity shown as literal text.", issue_type="typographical")
ENTITY = re.compile(r"&(?:#\d{2,7}|#[xX][0-9A-Fa-f]{2,6}|[A-Za-z][A-Za-z0-9]{1,10});")


def check(text: str):
    found = []
    for match in ENTITY.finditer(text):
        decoded = html.unescape(match.group())
        if decoded != match.group():
            found.append(finding(RULE, match.start(), match.end(), f"literal HTML entity {match.group()}", decoded))
    return found
