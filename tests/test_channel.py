"""The channel detector: its language-model arithmetic on a tiny Llama, its decisions on a
toy word-bigram language model whose preferences the tests choose."""

import re
from types import SimpleNamespace

import pytest
import torch

from detector.detectors.channel import FEATURES, Calibration, ChannelDetector, _expands, content_words
from detector.document import Document
from detector.findings import Finding, Suggestion
from detector.suggest.contracts import Candidate, Source
from detector import language_model as engine
from detector.suggest.suggester import SpinSuggester

# the toy model's collocations: each word after its left neighbour costs nothing, any other 8 nats
GOOD = {("raised", "interest"), ("interest", "rates"), ("foreign", "minister"), ("the", "foreign"), ("minister", "met")}
TOKEN = re.compile(r" ?[A-Za-z]+| ?[^A-Za-z ]")


def cost(previous: str, word: str) -> float:
    return 0.0 if (previous, word) in GOOD else -8.0


class Next(dict):
    """The next-token log-probabilities after `previous`, indexed by token."""

    def __init__(self, previous: str):
        super().__init__()
        self.previous = previous

    def __missing__(self, token: str) -> float:
        return cost(self.previous, token)


class ToyScorer:
    """The engine's protocol (language_model.LanguageModel) over word tokens that carry
    their leading space."""

    def first_token(self, text: str) -> str:
        return TOKEN.match(text).group().strip().lower()

    def window(self, text: str):
        tokens = list(TOKEN.finditer(text))
        words = [m.group().strip().lower() for m in tokens]
        return SimpleNamespace(starts=[m.start() for m in tokens], logp=[Next(([""] + words)[i]) for i in range(len(words))], words=words)

    def continuations(self, window, requests):
        words, out = window.words, []
        for prefix, text in requests:
            previous, total = (words[prefix - 1] if prefix else ""), 0.0
            for token in TOKEN.findall(text):
                total += cost(previous, token.strip().lower())
                previous = token.strip().lower()
            out.append(total)
        return out


NEIGHBOURS = {"premium": ["interest", "bonus"], "unfamiliar": ["foreign", "strange"], "clergyman": ["minister", "priest"], "interest": ["premium"], "pct": ["percent"]}
ON_GAIN = Calibration({**dict.fromkeys(FEATURES, 0.0), "gain": 1.0}, -3.0)


def neighbours(word: str) -> list[tuple[str, float]]:
    """The toy thesaurus's candidates in the word's casing, as the real source gives them."""
    return [(c.capitalize() if word[0].isupper() else c, 0.0) for c in NEIGHBOURS.get(word.lower(), [])]


def detector() -> ChannelDetector:
    return ChannelDetector(ToyScorer, neighbours, ON_GAIN, "toy")


def test_a_word_whose_neighbour_reads_far_better_is_flagged_with_that_neighbour_first():
    text = "The bank raised premium rates again."
    [finding] = detector().detect(Document.plain("a.txt", text))
    assert text[finding.start : finding.end] == "premium"
    assert finding.suggestions[0].text == "interest"
    assert finding.source == "channel" and finding.rule == "SPUN001"
    assert finding.score == pytest.approx(ON_GAIN.probability({**dict.fromkeys(FEATURES, 0.0), "gain": 16.0}))


def test_the_original_reads_best_in_clean_text_so_nothing_fires():
    assert detector().detect(Document.plain("a.txt", "The bank raised interest rates again.")) == []


def test_only_words_the_model_did_not_expect_get_candidates():
    asked = []
    found = ChannelDetector(ToyScorer, lambda word: asked.append(word) or neighbours(word), ON_GAIN, "toy")
    found.detect(Document.plain("a.txt", "The bank raised interest rates again."))
    assert "interest" not in asked and "rates" not in asked  # each follows its collocate
    assert {"bank", "raised", "again"} <= set(asked)


def test_a_pair_is_restored_jointly_when_neither_word_alone_reads_better():
    text = "Yesterday the unfamiliar clergyman met reporters."
    findings = detector().detect(Document.plain("a.txt", text))
    assert [(text[f.start : f.end], f.suggestions[0].text) for f in findings] == [("unfamiliar clergyman", "foreign minister")]


def test_function_words_acronyms_and_clippings_are_not_asked_about_but_capitalised_words_are():
    text = "Shares of Premium fell 3 pct to the low at the BBC."
    assert [text[a:b] for a, b in content_words(text, 0, len(text))] == ["Shares", "Premium", "fell", "pct", "low"]
    assert _expands("pct", "percent") and _expands("Corp", "corporation") and not _expands("premium", "interest")
    assert detector().detect(Document.plain("a.txt", "Output rose 3 pct in May.")) == []
    # a name stays where no neighbour reads better; a title reads as its original
    assert detector().detect(Document.plain("a.txt", "Shares of Premium fell.")) == []
    [title] = detector().detect(Document.plain("a.txt", "The Unfamiliar Minister met them."))
    assert title.suggestions[0].text == "Foreign"


def test_calibration_is_logistic_in_its_features_and_the_shipped_one_rises_with_gain():
    calibration = Calibration({**dict.fromkeys(FEATURES, 0.0), "gain": 0.5}, -2.0)
    assert calibration.probability({**dict.fromkeys(FEATURES, 0.0), "gain": 4.0}) == pytest.approx(0.5)
    shipped = Calibration.shipped()
    # a word rescored (unexpected from the left, its candidate reads 3 nats better there), as
    # common as news words, the tagger silent: found at the shipped threshold when the whole
    # text gains a lot and the trigram model agrees
    low, high = ({**dict.fromkeys(FEATURES, 0.0), "gain": g, "left": 3.0, "word_zipf": 4.0, "candidate_zipf": 4.5, "surprise": -10.0, "ngram": n} for g, n in ((1.0, 0.0), (30.0, 10.0)))
    assert shipped.probability(low) < shipped.threshold < shipped.probability(high)
    assert 0.0 < shipped.threshold < 1.0


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


def whole_text_log_likelihood(model: engine.LanguageModel, text: str) -> float:
    ids = torch.tensor([[model.bos] + model.tokenizer(text)["input_ids"]])
    with torch.inference_mode():
        logits = model.model(input_ids=ids).logits[0, :-1]
    return torch.log_softmax(logits.float(), -1).gather(1, ids[0, 1:, None]).sum().item()


@pytest.fixture(scope="module")
def tiny(tiny_lm_cache):
    return engine.LanguageModel.load(tiny_lm_cache, "float32")


def test_continuations_from_the_window_cache_equal_scoring_each_text_whole(tiny):
    window_text = "The Foreign Minister spoke at a press conference on Tuesday."
    window = tiny.window(window_text)
    starts = window.starts
    # rows of one batch that branch off the window at different tokens; the window's own
    # text from a token is read off its pass, the others are run
    requests = [(i, continuation) for i in (2, 5, 7) for continuation in (window_text[starts[i] :], window_text[starts[i] : starts[i + 2]], " squeeze meeting", " images")]
    for (prefix, continuation), score in zip(requests, tiny.continuations(window, requests)):
        head = window_text[: starts[prefix]]
        expected = whole_text_log_likelihood(tiny, head + continuation) - whole_text_log_likelihood(tiny, head)
        assert score == pytest.approx(expected, abs=1e-3)
    assert window.own(2, window_text[starts[2] : starts[4]]) is not None
    inside = next(starts[k] + 1 for k in range(3, len(starts) - 1) if starts[k + 1] - starts[k] > 1)
    assert window.own(2, window_text[starts[2] : inside]) is None  # ends inside a token
    assert window.own(2, " squeeze meeting") is None


def test_bfloat16_only_where_amx_computes_it_unless_told():
    assert engine.preferred_precision({"avx512f", "amx_bf16", "amx_tile"}) == "bfloat16"
    assert engine.preferred_precision({"avx512f", "avx512_bf16"}) == "float32"


def test_the_precision_override_wins(monkeypatch):
    monkeypatch.setenv("UNSPIN_LM_PRECISION", "float32")
    assert engine.preferred_precision({"amx_bf16"}) == "float32"
    monkeypatch.setenv("UNSPIN_LM_PRECISION", "bfloat16")
    assert engine.preferred_precision(set()) == "bfloat16"


def test_bfloat16_is_kept_only_while_faithful_to_float32(tiny_lm_cache, monkeypatch, capsys):
    model = engine.LanguageModel.load(tiny_lm_cache, "bfloat16")
    assert model.precision == "bfloat16" and {p.dtype for p in model.model.parameters()} == {torch.bfloat16, torch.float32}
    monkeypatch.setattr(engine, "MAX_MEAN_DRIFT", -1.0)  # no arithmetic passes
    strict = engine.LanguageModel.load(tiny_lm_cache, "bfloat16")
    assert strict.precision == "float32" and {p.dtype for p in strict.model.parameters()} == {torch.float32}
    assert "using float32" in capsys.readouterr().err


def test_words_the_tagger_suspects_are_rescored_whatever_the_first_pass_says():
    text = "The bank raised interest rates again."
    asked = []
    tagged = ChannelDetector(ToyScorer, lambda word: asked.append(word) or neighbours(word), ON_GAIN, "toy", focus=lambda texts: [[(16, 24, 0.9)] for _ in texts])
    [[rescored]] = tagged.detect_many([Document.plain("a.txt", text)])
    assert text[rescored.start : rescored.end] == "interest" and rescored.score < 1e-6  # rescored: it reads best as it is
    assert "interest" in asked  # unasked without the tagger (test above)
