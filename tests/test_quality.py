"""Every quality rule, with exact offsets and fixes, and the config switch to disable it."""

import pytest

from detector import check_text
from detector.config import Config


def only(text, rule, fmt=None, **config):
    result = check_text(text, path="a.txt" if fmt is None else f"a.{fmt}", config=Config(**config) if config else None)
    return [(f.start, f.end, f.text, f.severity, [s.text for s in f.suggestions]) for f in result.findings if f.rule == rule]


def test_mixed_script_word_with_cyrillic_lookalike():
    text = "Talks in Mos\u0441ow and \u041c\u043e\u0441\u043a\u0432\u0430 resumed."
    assert only(text, "QUAL001") == [(9, 15, "Mos\u0441ow", "error", ["Moscow"])]


def test_greek_lookalike_and_no_fix_when_a_letter_has_no_latin_twin():
    assert only("the \u03bfil price", "QUAL001") == [(4, 7, "\u03bfil", "error", ["oil"])]
    assert only("a\u0436b", "QUAL001") == [(0, 3, "a\u0436b", "error", [])]


def test_mojibake_is_repaired():
    text = "They don\u00e2\u20ac\u2122t go to the Caf\u00c3\u00a9 or pay \u00c2\u00a35m."
    assert only(text, "QUAL002") == [
        (5, 12, "don\u00e2\u20ac\u2122t", "error", ["don\u2019t"]),
        (23, 28, "Caf\u00c3\u00a9", "error", ["Caf\u00e9"]),
        (36, 41, "\u00c2\u00a35m.", "error", ["\u00a35m."]),
    ]
    assert only("A na\u00efve caf\u00e9 r\u00e9sum\u00e9 costs \u00a35.", "QUAL002") == []


def test_junk_glued_to_sentence_end():
    text = "Talks resume on Friday.4471 Next.\nPrices rose 2.5% on 3.14 days."
    assert only(text, "QUAL003") == [(23, 27, "4471", "warning", [""])]


def test_stray_entity_in_plain_text_but_not_decoded_html():
    assert only("Smith &amp; Sons&#8217; shop", "QUAL004") == [
        (6, 11, "&amp;", "warning", ["&"]),
        (16, 23, "&#8217;", "warning", ["\u2019"]),
    ]
    assert only("<p>Smith &amp; Sons</p>", "QUAL004", fmt="html") == []
    assert only("<p>Smith &amp;amp; Sons</p>", "QUAL004", fmt="html") == [(9, 18, "&amp;amp;", "warning", ["&"])]


def test_invisible_characters_but_not_a_leading_bom():
    text = "\ufeffThe min\u200bister\u00ad said"
    assert only(text, "QUAL005") == [(8, 9, "\u200b", "warning", [""]), (14, 15, "\u00ad", "warning", [""])]


def test_fused_sentences():
    text = "It was a deal that worries Brussels The minister said. He reads The Times. Sold by The Body Shop."
    assert only(text, "QUAL006") == [(27, 39, "Brussels The", "warning", ["Brussels. The"])]


def test_boilerplate_lines_are_info():
    text = "Body text.\nRead more: Another story\n  Photo: Jane Doe/Reuters\nAlso read - more\nReading more is good.\n"
    found = only(text, "QUAL007")
    assert [(s, e, t, sev) for s, e, t, sev, _ in found] == [
        (11, 35, "Read more: Another story", "info"),
        (38, 61, "Photo: Jane Doe/Reuters", "info"),
        (62, 78, "Also read - more", "info"),
    ]


def test_caption_credit_lines_are_boilerplate_but_prose_about_photos_is_not():
    text = (
        "Protesters gather in the capital, 13 September 2023. PHOTO AFP\n"
        "The minister poses for a photo (Photo: Reuters)\n"
        "She said the photo AP ran was old, and the AFP story was right.\n"
        "He took a photo in the park.\n"
    )
    assert [t for _, _, t, _, _ in only(text, "QUAL007")] == [
        "Protesters gather in the capital, 13 September 2023. PHOTO AFP",
        "The minister poses for a photo (Photo: Reuters)",
    ]


def test_doubled_words_but_not_grammatical_ones():
    text = "The the minister said that that was what he had had in in mind."
    assert only(text, "QUAL008") == [(0, 7, "The the", "warning", ["The"]), (52, 57, "in in", "warning", ["in"])]


@pytest.mark.parametrize("code, text", [("QUAL008", "the the"), ("QUAL005", "a\u200bb"), ("QUAL001", "Mos\u0441ow")])
def test_each_rule_can_be_disabled(code, text):
    assert only(text, code)
    assert only(text, code, disable=[code]) == []


def test_positions_in_markdown_map_back_to_the_source():
    source = "# Title\n\nSee **Mos\u0441ow** and [the the](http://x) page.\n"
    result = check_text(source, path="a.md")
    for finding in result.findings:
        assert source[finding.start : finding.end] == finding.text
    assert {f.rule for f in result.findings} == {"QUAL001", "QUAL008"}
