"""The general trigram model the channel detector's calibration reads (detector/ngram.py)."""

from __future__ import annotations

import pytest

pytest.importorskip("pocketsphinx")

from detector.ngram import UNKNOWN, shipped_trigrams  # noqa: E402


def test_a_fixed_expression_reads_far_likelier_than_its_spun_form():
    text = "He suffered a mild heart assault, an aide said."
    start = text.index("assault")
    assert shipped_trigrams().gain(text, start, start + len("assault"), "attack") > 8


def test_the_written_word_of_a_fixed_expression_beats_its_synonym():
    text = "Shares fell sharply in early trading on Monday."
    start = text.index("sharply")
    assert shipped_trigrams().gain(text, start, start + len("sharply"), "steeply") < -4


def test_context_stops_at_the_sentence_and_unknown_words_have_a_floor():
    trigrams = shipped_trigrams()
    # after a full stop the phrase starts a sentence: the words before it do not count
    assert trigrams.gain("Rates rose. Lung canker kills.", 12, 23, "Lung cancer") == trigrams.gain("Lung canker kills.", 0, 11, "Lung cancer")
    assert trigrams.log_probability(["qzxv"], [], []) == UNKNOWN
