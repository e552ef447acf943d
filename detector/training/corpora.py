"""Reading the training corpora in ../shared/corpora (never committed, never used by tests
except through text the tests write).

Only BBC business, entertainment, politics and sport and the Reuters-21578 bodies are
training material: BBC tech and the dev set are evaluation-only, and asking for them
here is an error.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path

TRAINING_BBC_SECTIONS = ("business", "entertainment", "politics", "sport")
EVALUATION_ONLY = ("tech",)
ABBREVIATIONS = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|St|Sr|Jr|Inc|Ltd|Corp|Co|Gov|Gen|Sen|Rep|No|vs|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)|\b[A-Z](?:\.[A-Z])*)\.$"
)
SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’']?\s+(?=[\"“‘(]?[A-Z0-9])")
REUTERS_TAIL = re.compile(r"\s*\bReut(?:er|ers)\b\s*(?:&#3;)?\s*$", re.IGNORECASE)


def default_root() -> Path:
    return Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"


def missing_sources(root: Path) -> list[str]:
    """The parts of the training corpora that `root` lacks (a wrong folder would otherwise
    build an empty or partial dataset without a word)."""
    missing = [f"bbc/{section}/" for section in TRAINING_BBC_SECTIONS if not (root / "bbc" / section).is_dir()]
    if not any((root / "reuters21578").glob("reut2-*.json")):
        missing.append("reuters21578/reut2-*.json")
    return missing


def bbc_documents(root: Path, sections=TRAINING_BBC_SECTIONS) -> Iterator[tuple[str, str]]:
    """(id, text) of BBC articles: title line dropped, paragraphs joined by blank lines."""
    for section in sections:
        if section in EVALUATION_ONLY:
            raise ValueError(f"bbc/{section} is evaluation-only and never used for training")
        for path in sorted((root / "bbc" / section).glob("*.txt")):
            text = path.read_bytes().decode("utf-8", errors="replace")
            lines = text.split("\n", 1)
            yield f"bbc/{section}/{path.stem}", (lines[1] if len(lines) > 1 else "").strip()


def _prose_paragraph(paragraph: str) -> bool:
    letters = [c for c in paragraph if c.isalpha()]
    if len(letters) < 40:
        return False
    lower_share = sum(c.islower() for c in letters) / len(letters)
    digit_share = sum(c.isdigit() for c in paragraph) / len(paragraph)
    return lower_share > 0.7 and digit_share < 0.12


def reuters_documents(root: Path) -> Iterator[tuple[str, str]]:
    """(id, text) of Reuters bodies with tables, all-caps items and sign-offs removed."""
    for path in sorted((root / "reuters21578").glob("reut2-*.json")):
        for record in json.loads(path.read_text(encoding="utf-8", errors="replace")):
            body = html.unescape(record.get("body") or "")
            body = REUTERS_TAIL.sub("", body)
            paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s{3,}|\n\s*\n", body)]
            kept = [p for p in paragraphs if _prose_paragraph(p)]
            if kept:
                yield f"reuters/{record['attrs']['newid']}", "\n\n".join(kept)


def training_documents(root: Path) -> Iterator[tuple[str, str]]:
    """Every training document: BBC (minus tech) first, then Reuters."""
    yield from bbc_documents(root)
    yield from reuters_documents(root)


def sentences(text: str) -> list[str]:
    """Split prose into sentences (a regex splitter that knows common abbreviations)."""
    out = []
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = " ".join(paragraph.split())
        start = 0
        for match in SENTENCE_END.finditer(paragraph):
            if ABBREVIATIONS.search(paragraph, start, match.start()):
                continue
            out.append(paragraph[start : match.start()])
            start = match.end()
        if paragraph[start:]:
            out.append(paragraph[start:])
    return [s for s in out if s]
