"""The channel detector: its language-model arithmetic on a tiny Llama, its decisions on a
toy word-bigram language model whose preferences the tests choose."""

import re

import pytest
import torch

from detector.detectors.channel import FEATURES, Calibration, ChannelDetector, ChannelScorer, _expands, content_words
from detector.document import Document
from detector.findings import Finding, Suggestion
from detector.suggest.contracts import Candidate, Source
from detector.suggest.judges import lm
from detector.suggest.suggester import SpinSuggester

# the toy model's collocations: each word after its left neighbour costs nothing, any other 4 nats
GOOD = {("raised", "interest"), ("interest", "rates"), ("foreign", "minister"), ("the", "foreign"), ("minister", "met")}
TOKEN = re.compile(r" ?[A-Za-z]+| ?[^A-Za-z ]")


def cost(previous: str, word: str) -> float:
    return 0.0 if (previous, word) in GOOD else -4.0


class Next(dict):
    """The next-token log-probabilities after `previous`, indexed by token."""

    def __init__(self, previous: str):
        super().__init__()
        self.previous = previous

    def __missing__(self, token: str) -> float:
        return cost(self.previous, token)


class ToyScorer:
    """ChannelScorer's protocol over word tokens that carry their leading space."""

    def first_token(self, text: str) -> str:
        return TOKEN.match(text).group().strip().lower()

    def window(self, text: str):
        tokens = list(TOKEN.finditer(text))
        words = [m.group().strip().lower() for m in tokens]
        return [m.start() for m in tokens], [Next(([""] + words)[i]) for i in range(len(words))], words

    def continuations(self, words, logp, requests):
        out = []
        for prefix, text in requests:
            previous, total = (words[prefix - 1] if prefix else ""), 0.0
            for token in TOKEN.findall(text):
                total += cost(previous, token.strip().lower())
                previous = token.strip().lower()
            out.append(total)
        return out


NEIGHBOURS = {"premium": ["interest", "bonus"], "unfamiliar": ["foreign", "strange"], "clergyman": ["minister", "priest"], "interest": ["premium"], "pct": ["percent"]}
ON_GAIN = Calibration({**dict.fromkeys(FEATURES, 0.0), "gain": 1.0}, -3.0)


def detector() -> ChannelDetector:
    return ChannelDetector(ToyScorer, lambda word: [(c, 0.0) for c in NEIGHBOURS.get(word.lower(), [])], ON_GAIN, "toy")


def test_a_word_whose_neighbour_reads_far_better_is_flagged_with_that_neighbour_first():
    text = "The bank raised premium rates again."
    [finding] = detector().detect(Document.plain("a.txt", text))
    assert text[finding.start : finding.end] == "premium"
    assert finding.suggestions[0].text == "interest"
    assert finding.source == "channel" and finding.rule == "SPUN001"
    assert finding.score == pytest.approx(ON_GAIN.probability({**dict.fromkeys(FEATURES, 0.0), "gain": 8.0}))


def test_the_original_reads_best_in_clean_text_so_nothing_fires():
    assert detector().detect(Document.plain("a.txt", "The bank raised interest rates again.")) == []


def test_a_pair_is_restored_jointly_when_neither_word_alone_reads_better():
    text = "Yesterday the unfamiliar clergyman met reporters."
    findings = detector().detect(Document.plain("a.txt", text))
    assert [(text[f.start : f.end], f.suggestions[0].text) for f in findings] == [("unfamiliar clergyman", "foreign minister")]


def test_names_function_words_and_clippings_are_not_asked_about():
    text = "Shares of Premium fell 3 pct to the low."
    assert [text[a:b] for a, b in content_words(text, 0, len(text))] == ["Shares", "fell", "pct", "low"]
    assert _expands("pct", "percent") and _expands("Corp", "corporation") and not _expands("premium", "interest")
    assert detector().detect(Document.plain("a.txt", "Output rose 3 pct in May.")) == []


def test_calibration_is_logistic_in_its_features_and_the_shipped_one_rises_with_gain():
    calibration = Calibration({**dict.fromkeys(FEATURES, 0.0), "gain": 0.5}, -2.0)
    assert calibration.probability({**dict.fromkeys(FEATURES, 0.0), "gain": 4.0}) == pytest.approx(0.5)
    shipped = Calibration.shipped()
    # a word rescored (its candidate reads 3 nats better from the left), as common as news words
    low, high = ({**dict.fromkeys(FEATURES, 0.0), "gain": g, "left": 3.0, "word_zipf": 4.0, "candidate_zipf": 4.5} for g in (1.0, 20.0))
    assert shipped.probability(low) < 0.5 < shipped.probability(high)


def test_the_suggester_keeps_the_channel_candidate_first():
    class Words:
        def candidates(self, phrase):
            return [Candidate("bonus", 0.9, Source.WORDS), Candidate("interest", 0.5, Source.WORDS)]

    doc = Document.plain("a.txt", "The bank raised premium rates again.")
    finding = Finding("SPUN001", "warning", 16, 23, 0.9, "channel", "m", [Suggestion("interest", 0.9)])
    model = Finding("SPUN001", "warning", 16, 23, 0.9, "model", "m")
    SpinSuggester([], [Words()], [], "test").suggest(doc, [finding, model])
    assert [s.text for s in finding.suggestions] == ["interest", "bonus"]
    assert [s.text for s in model.suggestions] == ["bonus", "interest"]


def whole_text_log_likelihood(scorer: ChannelScorer, text: str) -> float:
    ids = torch.tensor([[scorer.bos] + scorer.tokenizer(text)["input_ids"]])
    with torch.inference_mode():
        logits = scorer.model(input_ids=ids).logits[0, :-1]
    return torch.log_softmax(logits, -1).gather(1, ids[0, 1:, None]).sum().item()


def test_continuations_from_the_window_cache_equal_scoring_each_text_whole(tiny_lm_cache):
    judge = lm.LanguageModelJudge.load(tiny_lm_cache)
    scorer = ChannelScorer(judge.model, judge.tokenizer)
    window = "The Foreign Minister spoke at a press conference on Tuesday."
    starts, logp, cache = scorer.window(window)
    # rows of one batch that branch off the window at different tokens
    requests = [(i, continuation) for i in (2, 5, 7) for continuation in (window[starts[i] :], " squeeze meeting", " images")]
    for (prefix, continuation), score in zip(requests, scorer.continuations(cache, logp, requests)):
        head = window[: starts[prefix]]
        expected = whole_text_log_likelihood(scorer, head + continuation) - whole_text_log_likelihood(scorer, head)
        assert score == pytest.approx(expected, abs=1e-3)
