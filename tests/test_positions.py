"""Exact positions: every finding's text is the source slice it names, in any format."""

import functools
import html as html_module
import re

from hypothesis import Phase, given, settings, strategies as st

from detector.api import check_text

from detector.wiring import build_pipeline
from detector.config import Config
from detector.findings import Finding
from detector.readers import read_document

FILLER = st.sampled_from(["The talks", "resumed", "on Friday", "in Paris", "Ärger", "naïve", "2004", "👍"])
WRAPS = {
    "md": [lambda p: p, lambda p: f"**{p}**", lambda p: f"[{p}](http://e.com)", lambda p: f"# {p}", lambda p: f"> {p}", lambda p: f"- {p}"],
    "html": [lambda p: p, lambda p: f"<p>{p}</p>", lambda p: f"<b>{p}</b>", lambda p: f"<li>{p}</li>", lambda p: f"<h2>{p}</h2>"],
    "txt": [lambda p: p],
}
PHRASES = ["Unfamiliar Clergyman", "unfamiliar clergymen", "UNFAMILIAR CLERGYMAN", "Unfamiliar\nClergyman"]


@settings(max_examples=120, deadline=None)
@given(
    ext=st.sampled_from(sorted(WRAPS)),
    before=st.lists(FILLER, max_size=5),
    after=st.lists(FILLER, max_size=5),
    phrase=st.sampled_from(PHRASES),
    data=st.data(),
)
def test_planted_phrase_is_reported_at_its_exact_source_position(ext, before, after, phrase, data):
    wrap = data.draw(st.sampled_from(WRAPS[ext]))
    separator = "\n\n" if ext == "md" else " "
    source = " ".join(before) + separator + wrap(phrase) + separator + " ".join(after) + "\n"
    result = check_text(source, path=f"a.{ext}")
    spun = [f for f in result.findings if f.rule == "SPUN001"]
    assert len(spun) == 1
    finding = spun[0]
    assert finding.text == source[finding.start : finding.end]
    assert finding.text == phrase
    line = source.count("\n", 0, finding.start) + 1
    column = finding.start - (source.rfind("\n", 0, finding.start) + 1) + 1
    assert (finding.line, finding.column) == (line, column)


def test_offsets_are_code_points_not_bytes():
    source = "Ça va 👍 — the Unfamiliar Clergyman came."
    [finding] = check_text(source, path="a.txt").findings
    assert finding.start == source.index("Unfamiliar")
    assert finding.column == finding.start + 1

WORD = st.sampled_from(["talks", "Paris", "naïve", "2004", "👍", "fish &amp; chips", "a&lt;b", "the"])
MD_INLINE = [
    lambda w: w,
    lambda w: f"`{w} code`",
    lambda w: f"`multi\nline {w}`",
    lambda w: f"[{w}](http://example.com/{len(w)})",
    lambda w: f"[{w}][ref]",
    lambda w: f"**{w}**",
    lambda w: f"_{w}_",
    lambda w: f"<em>{w}</em>",
]
MD_BLOCK = [
    lambda p: p,
    lambda p: f"> {p}",
    lambda p: f"> > {p}",
    lambda p: f"- {p}\n  - nested {p}",
    lambda p: f"1. {p}\n2. two",
    lambda p: f"| {p} | cell |\n|---|---|\n| x | {p} |",
    lambda p: f"# {p}",
]
HTML_INLINE = [
    lambda w: w,
    lambda w: f"<code>{w}</code>",
    lambda w: f"<a href='http://e.com/{len(w)}'>{w}</a>",
    lambda w: f"<b>{w}</b>",
    lambda w: f"<script>var {len(w)};</script>{w}",
    lambda w: f"<!-- note -->{w}",
]
HTML_BLOCK = [
    lambda p: f"<p>{p}</p>",
    lambda p: f"<blockquote><p>{p}</p></blockquote>",
    lambda p: f"<ul><li>{p}<ul><li>{p}</li></ul></li></ul>",
    lambda p: f"<table><tr><td>{p}</td><td>{p}</td></tr></table>",
]
TAG = re.compile(r"<[^<>]*>")


class SpansAt:
    """A detector standing in for the model: flags the given checked-text spans."""

    name = "model"
    version = "test"

    def __init__(self):
        self.spans = []

    def detect_many(self, docs):
        return [[Finding("SPUN001", "warning", a, b, 0.9, self.name, "stub") for a, b in self.spans if b <= len(doc.text)] for doc in docs]


def _reads_as(text: str, markup: bool = False) -> str:
    """Text as a reader sees it, less white space, emphasis marks and quote prefixes; with
    `markup` (source text), tags first removed and entities then decoded."""
    if markup:
        text = html_module.unescape(TAG.sub("", text))
    return re.sub(r"[\s*_~>]", "", text)


STUB = SpansAt()


@functools.cache
def stub_pipeline():
    pipeline, _ = build_pipeline(Config(model=False, select=["SPUN001"], lm_suggestions="off"))
    pipeline.detectors, pipeline.suggesters = [STUB], []
    return pipeline


# no shrinking: a failure is printed as found (shrinking these documents takes minutes)
@settings(max_examples=150, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(ext=st.sampled_from(["md", "html"]), data=st.data())
def test_findings_never_cross_skipped_content(ext, data):
    inline, block = (MD_INLINE, MD_BLOCK) if ext == "md" else (HTML_INLINE, HTML_BLOCK)
    blocks = []
    for _ in range(data.draw(st.integers(1, 4))):
        words = [data.draw(st.sampled_from(inline))(data.draw(WORD)) for _ in range(data.draw(st.integers(1, 6)))]
        blocks.append(data.draw(st.sampled_from(block))(" ".join(words)))
    source = "\n\n".join(blocks) + ("\n\n[ref]: http://example.com/ref\n" if ext == "md" else "\n")
    doc = read_document(f"a.{ext}", source)
    size = len(doc.text)
    if size < 2:
        return
    spans = [tuple(sorted(data.draw(st.tuples(st.integers(0, size), st.integers(0, size))))) for _ in range(3)]
    STUB.spans = [(a, b) for a, b in spans if b > a]
    [result] = stub_pipeline().check([doc])
    for finding in result.findings:
        assert finding.text == source[finding.start : finding.end] != ""
        checked = doc.text[finding.checked_start : finding.checked_end]
        # the source slice holds nothing the reader skipped: no code, link target, cell border
        assert _reads_as(finding.text, markup=True) == _reads_as(checked), (finding.text, checked)
        assert doc.text_run(finding.checked_start, finding.checked_end) == (finding.checked_start, finding.checked_end)
