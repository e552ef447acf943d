from hypothesis import given, settings, strategies as st

from detector.readers import read_document
from detector.readers.html import read_html
from detector.readers.markdown import read_markdown


def visible(doc):
    return " ".join(doc.text.split())


def test_markdown_keeps_prose_and_drops_code_links_and_front_matter():
    source = (
        "---\ntitle: hidden front matter\n---\n"
        "# Heading *one* #\n\n"
        "See [the report](https://example.com/a_b) and `inline code` or <https://x.y>.\n"
        "Visit www.example.com/page. Escaped \\*star\\* &amp; more.\n\n"
        "```\nfenced code\n```\n\n"
        "    indented code\n\n"
        "<!-- a comment -->\n\n"
        "- item *one*\n> quoted text\n"
    )
    doc = read_markdown("a.md", source)
    text = visible(doc)
    assert "hidden front matter" not in text
    assert "Heading one" in text
    assert "See the report and or ." in text
    assert "example.com" not in text and "inline code" not in text
    assert "Visit . Escaped *star* & more." in text
    assert "fenced" not in text and "indented" not in text and "comment" not in text
    assert "item one" in text and "quoted text" in text


def test_markdown_ignore_comment_suppresses_the_next_block_only():
    source = "First para.\n\n<!-- unspin: ignore -->\nSkipped para.\n\nLast para.\n"
    doc = read_markdown("a.md", source)
    ignored = [doc.text[s:e] for s, e, _ in doc.ignored]
    assert len(ignored) == 1 and "Skipped para." in ignored[0]
    assert "Last" not in ignored[0]


def test_html_visible_text_with_entities_and_blocks():
    source = (
        "<html><head><title>t</title><script>var hidden = 1;</script><style>.x{}</style></head>"
        "<body><h1>Head</h1><p>It&rsquo;s <b>bold</b>&nbsp;text</p><div>Next block</div></body></html>"
    )
    doc = read_html("a.html", source)
    assert "hidden" not in doc.text and ".x" not in doc.text
    assert "Head\n\nIt\u2019s bold\u00a0text\n\nNext block" in doc.text
    apostrophe = doc.text.index("\u2019")
    start, end = doc.to_source(apostrophe, apostrophe + 1)
    assert source[start:end] == "&rsquo;"


def test_html_ignore_comment_suppresses_the_next_element():
    source = "<p>Keep.</p><!-- unspin: ignore --><p>Drop <b>this</b>.</p><p>Keep too.</p>"
    doc = read_html("a.html", source)
    assert [doc.text[s:e] for s, e, _ in doc.ignored] == ["Drop this."]


WORDS = st.sampled_from(["alpha", "beta", "news", "minister", "Talks", "rate", "é", "ünï", "x"])
MARKUP = {
    "markdown": [
        lambda w: f"**{w}**", lambda w: f"*{w}*", lambda w: f"[{w}](http://e.com/{w})", lambda w: f"`{w}`",
        lambda w: f"# {w}\n\n", lambda w: f"\n\n- {w}\n\n", lambda w: f"{w} &amp;", lambda w: f"\\_{w}",
        lambda w: f"\n\n```\n{w}\n```\n\n", lambda w: f"<span>{w}</span>", lambda w: w,
    ],
    "html": [
        lambda w: f"<b>{w}</b>", lambda w: f"<p>{w}</p>", lambda w: f"{w}&amp;", lambda w: f"<script>{w}</script>",
        lambda w: f"<!-- {w} -->", lambda w: f"<a href='x'>{w}</a>", lambda w: f"&#233;{w}", lambda w: w,
    ],
}


@settings(max_examples=150, deadline=None)
@given(fmt=st.sampled_from(["markdown", "html"]), data=st.data())
def test_every_checked_character_maps_back_to_its_source(fmt, data):
    pieces = data.draw(st.lists(st.tuples(WORDS, st.sampled_from(MARKUP[fmt]), st.sampled_from([" ", "\n", ". "])), max_size=12))
    source = "".join(wrap(word) + gap for word, wrap, gap in pieces)
    doc = read_document("f.md" if fmt == "markdown" else "f.html", source)
    for i, char in enumerate(doc.text):
        start, end = doc.to_source(i, i + 1)
        assert 0 <= start <= end <= len(source)
        if end - start == 1:
            assert source[start] == char
    # Any span of checked text maps to a source slice that starts and ends on the same characters.
    words = [(i, i + len(w)) for i, w in ((doc.text.find(w), w) for w in ("minister", "Talks")) if i >= 0]
    for s, e in words:
        start, end = doc.to_source(s, e)
        assert source[start:end].startswith(doc.text[s]) and source[start:end].endswith(doc.text[e - 1])
