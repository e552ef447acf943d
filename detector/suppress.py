"""Inline suppressions: what editors write in an article to silence a finding there.

In every format (plain text, Markdown, HTML), on the line itself:

- `unspin: ignore-line` silences every rule on that line;
- `unspin: ignore-line SPUN001` or `unspin: ignore SPUN001,QUAL008` only those rules
  (codes, or prefixes such as `QUAL`).

Markdown and HTML also take comments on a line of their own, read by their readers:

- `<!-- unspin: ignore -->` (all rules) or `<!-- unspin: ignore SPUN001 -->` before a block
  (Markdown) or an element (HTML) silences it;
- `<!-- unspin: off -->` … `<!-- unspin: on -->` silences everything between (to the end
  of the file when `on` never comes).

In plain text the words are read wherever they are; put them in a comment of the
article's own markup, or at the end of the line.
"""

from __future__ import annotations

import re

CODE = r"[A-Z]{4}[0-9]{0,3}"
CODES = rf"{CODE}(?:[ \t]*,[ \t]*{CODE})*"
LINE = re.compile(rf"unspin:[ \t]*(?:ignore-line(?:[ \t]+(?P<some>{CODES}))?|ignore[ \t]+(?P<only>{CODES}))")
# In a Markdown or HTML comment: `ignore` with optional codes, `off`, `on`.
COMMENT = re.compile(rf"^\s*unspin:\s*(?:(?P<ignore>ignore)(?:\s+(?P<codes>{CODES}))?|(?P<switch>off|on))\s*$")

# Rules a suppression covers: empty for all of them.
Rules = frozenset


def codes(text: str | None) -> Rules:
    return Rules(code.strip() for code in (text or "").split(",") if code.strip())


def covers(rules: Rules, rule: str) -> bool:
    return not rules or any(rule.startswith(code) for code in rules)


def line_suppressions(source: str) -> list[tuple[int, int, Rules]]:
    """Source spans of the lines carrying a line directive, with the rules each silences."""
    found = []
    for match in LINE.finditer(source):
        start = source.rfind("\n", 0, match.start()) + 1
        end = source.find("\n", match.end())
        found.append((start, len(source) if end == -1 else end, codes(match.group("some") or match.group("only"))))
    return found


def comment_directive(body: str) -> tuple[str, Rules] | None:
    """("ignore", rules), ("off", all) or ("on", all) for an HTML comment's body, else None."""
    match = COMMENT.match(body)
    if match is None:
        return None
    if match.group("switch"):
        return match.group("switch"), Rules()
    return "ignore", codes(match.group("codes"))
