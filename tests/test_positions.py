"""Exact positions: every finding's text is the source slice it names, in any format."""

from hypothesis import given, settings, strategies as st

from detector.api import check_text

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
