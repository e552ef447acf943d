"""Training and inference paths on a tiny randomly initialised BERT, in seconds; and a
smoke test of the shipped model."""

import json

import numpy as np

import pytest

from detector.training.dataset import BuildConfig, build, featurize, split_of
from detector.document import Document
from detector.lexicon import Term
from detector.model.base import load_tokenizer
from detector.detectors.model import ModelDetector
from detector.model.span_model import SpanModel
from detector.training.model_versions import train_model_version
from detector.model.store import ModelError, shipped_model_dir
from detector.training.spinner import Spinner
from detector.thesaurus import shipped_thesaurus

SENTENCES = [
    "The Foreign Minister told a press conference on Tuesday that talks would resume.",
    "Interest rates rose sharply after the central bank met in the capital.",
    "The chief executive said profits had fallen because of weak demand at home.",
    "Officials said the civil war had cost the region dearly over many years.",
    "The company expects sales to grow strongly in the coming months.",
]


def test_bio_labels_and_casing_follow_the_tokenizer():
    tokenizer = load_tokenizer()
    text = "The Unfamiliar Clergyman met NATO leaders."
    features = featurize(tokenizer, text, [(4, 14), (15, 24)], max_tokens=64)
    tokens = tokenizer.tokens(features["input_ids"])
    labels = features["labels"]
    assert [(t, l) for t, l in zip(tokens, labels) if l > 0] == [("unfamiliar", 1), ("clergyman", 2)]
    assert labels[0] == -100 and labels[-1] == -100 and tokens[0] == "[CLS]" and tokens[-1] == "[SEP]"
    cases = dict(zip(tokens, features["casing_ids"]))
    assert (cases["the"], cases["unfamiliar"], cases["met"], cases["nato"]) == (2, 1, 0, 3)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny")
    documents = [(f"test/{i}", " ".join(SENTENCES[(i + k) % len(SENTENCES)] for k in range(3))) for i in range(80)]
    assert {split_of(d) for d, _ in documents} == {"train", "validation", "test"}
    lexicon = [Term(t, 1, "test") for t in ("Foreign Minister", "press conference", "interest rates", "civil war")]
    config = BuildConfig(corpora=root, output=root / "dataset", train_passages=200, eval_passages=20, spins_per_passage=2)
    _, stats = build(config, load_tokenizer(), Spinner(shipped_thesaurus(), lexicon), log=lambda m: None, documents=documents)
    assert stats["splits"]["train"]["examples"] > stats["splits"]["train"]["passages"]
    record = train_model_version(
        dataset=root / "dataset", output=root / "train", folder=root / "models" / "tiny-v1", version="tiny-v1",
        epochs=1, max_steps=12, batch_size=8, learning_rate=1e-3, eval_every=6, clean_weight=1.5, resume=False, tiny=True, seed=1, log=lambda m: None,
    )
    return root, record


def test_training_writes_a_checked_model_version(tiny_model):
    root, record = tiny_model
    folder = root / "models" / "tiny-v1"
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "manifest.json", "model.safetensors"]
    settings = json.loads((folder / "config.json").read_text())
    assert settings["version"] == "tiny-v1" and settings["training"]["steps"] == 12
    assert len(settings["calibration_x"]) == len(settings["calibration_y"]) >= 1
    assert len(settings["int8_calibration_x"]) == len(settings["int8_calibration_y"]) >= 1
    assert 0 <= settings["int8_threshold"] <= 1
    assert [h["step"] for h in record["training"]["history"]] == [6, 12]
    assert record["training"]["max_steps_by_stage"] == [12]


def test_resume_continues_from_the_checkpoint(tiny_model):
    root, _ = tiny_model
    record = train_model_version(
        dataset=root / "dataset", output=root / "train", folder=root / "models" / "tiny-v2", version="tiny-v2",
        epochs=1, max_steps=18, batch_size=8, learning_rate=1e-3, eval_every=6, clean_weight=1.5, resume=True, tiny=True, seed=1, log=lambda m: None,
    )
    assert [h["step"] for h in record["training"]["history"]] == [6, 12, 18]
    assert record["training"]["max_steps_by_stage"] == [12, 18]  # the model card writes one command per stage


def test_training_can_start_from_a_saved_version(tiny_model):
    from safetensors.torch import load_file

    root, _ = tiny_model
    # a learning rate of 0 keeps the starting weights, so they show where training began
    train_model_version(
        dataset=root / "dataset", output=root / "train-init", folder=root / "models" / "tiny-v3", version="tiny-v3",
        epochs=1, max_steps=6, batch_size=8, learning_rate=0.0, eval_every=6, clean_weight=1.5, resume=False, tiny=True, seed=2,
        init_from=root / "models" / "tiny-v1", log=lambda m: None,
    )
    start, after = load_file(str(root / "models" / "tiny-v1" / "model.safetensors")), load_file(str(root / "models" / "tiny-v3" / "model.safetensors"))
    assert start.keys() == after.keys() and all((start[k] == after[k]).all() for k in start)


def test_inference_windows_long_documents_and_maps_spans(tiny_model):
    root, _ = tiny_model
    model = SpanModel.load(root / "models" / "tiny-v1")
    model.settings.word_threshold = 0.0  # a random tiny model: make every word a span candidate
    long_text = " ".join(SENTENCES * 40)
    docs = [Document.plain("a.txt", long_text), Document.plain("b.txt", SENTENCES[0])]
    [long_findings, short_findings] = ModelDetector(model).detect_many(docs)
    words = model.word_probabilities([long_text])[0]
    assert len(words) == len(long_text.split())
    assert all(0.0 <= p <= 1.0 for _, _, p in words)
    assert long_findings and all(0 <= f.start < f.end <= len(long_text) for f in long_findings)
    assert all(0.0 <= f.score <= 1.0 for f in long_findings + short_findings)


def test_altered_model_files_are_refused(tiny_model):
    root, _ = tiny_model
    folder = root / "models" / "tiny-v1"
    weights = folder / "model.safetensors"
    original = weights.read_bytes()
    weights.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))
    try:
        with pytest.raises(ModelError, match="SHA-256 does not match"):
            SpanModel.load(folder)
    finally:
        weights.write_bytes(original)


def test_calibrate_refits_a_saved_version_and_refuses_an_altered_one(tiny_model, tmp_path):
    import shutil

    from click.testing import CliRunner

    from detector.training.cli import main

    root, _ = tiny_model
    folder = tmp_path / "tiny-v1"
    shutil.copytree(root / "models" / "tiny-v1", folder)
    before = json.loads((folder / "config.json").read_text())
    result = CliRunner().invoke(main, ["calibrate", str(folder), "--dataset", str(root / "dataset")])
    assert result.exit_code == 0, result.output
    after = json.loads((folder / "config.json").read_text())
    assert json.loads(result.stdout)["int8_threshold"] == after["int8_threshold"]
    assert after["calibration_x"] == before["calibration_x"]  # deterministic: same network, same data
    SpanModel.load(folder)  # the manifest was rewritten with the new sums
    (folder / "model.safetensors").write_bytes(b"altered")
    result = CliRunner().invoke(main, ["calibrate", str(folder), "--dataset", str(root / "dataset")])
    assert result.exit_code == 2 and "SHA-256 does not match" in result.output and "Traceback" not in result.output


@pytest.fixture(scope="module")
def shipped_model():
    return SpanModel.load(shipped_model_dir())


def _shipped_findings(model, spun: str, clean: str) -> tuple[list[str], list[str]]:
    """Spans the shipped model flags at its default threshold in a spun text and its original."""
    [spun_findings, clean_findings] = ModelDetector(model).detect_many([Document.plain("s.txt", spun), Document.plain("c.txt", clean)])
    threshold = model.settings.threshold
    return [spun[f.start : f.end] for f in spun_findings if f.score >= threshold], [clean[f.start : f.end] for f in clean_findings if f.score >= threshold]


SPUN_AND_ORIGINAL = [
    ("Unfamiliar Clergyman Sergei Lavrov arrived on Tuesday.", "Foreign Minister Sergei Lavrov arrived on Tuesday."),
    ("The minister told a squeeze meeting that intrigue rates would rise.", "The minister told a press conference that interest rates would rise."),
]


@pytest.mark.shipped_model
@pytest.mark.skipif(shipped_model_dir() is None, reason="no model version shipped in models/")
def test_shipped_model_leaves_the_originals_alone(shipped_model):
    for spun, clean in SPUN_AND_ORIGINAL:
        assert _shipped_findings(shipped_model, spun, clean)[1] == []


@pytest.mark.shipped_model
@pytest.mark.skipif(shipped_model_dir() is None, reason="no model version shipped in models/")
@pytest.mark.xfail(strict=True, reason="unspin-minilm-v3 scores this Title Case span 0.821, just below its threshold 0.825 (issue #4; v2: 0.72)")
def test_shipped_model_flags_the_spun_title(shipped_model):
    assert _shipped_findings(shipped_model, *SPUN_AND_ORIGINAL[0])[0] == ["Unfamiliar Clergyman"]


@pytest.mark.shipped_model
@pytest.mark.skipif(shipped_model_dir() is None, reason="no model version shipped in models/")
def test_shipped_model_flags_spun_phrases(shipped_model):
    assert _shipped_findings(shipped_model, *SPUN_AND_ORIGINAL[1])[0] == ["squeeze", "intrigue"]


def test_onnx_runtime_matches_pytorch_and_is_cached(tiny_model, private_cache):
    from detector.model.store import load_model

    root, _ = tiny_model
    folder = root / "models" / "tiny-v1"
    tagger, settings, _ = load_model(folder)
    reference = SpanModel.from_tagger(tagger, load_tokenizer(), settings).word_probabilities(SENTENCES)
    exported = SpanModel.load(folder).word_probabilities(SENTENCES)
    exports = list((private_cache / "models").glob("*-fp32-*.onnx"))
    assert len(exports) == 1
    # exported with eager attention: no per-layer mask Where and NaN guard (runtime.py)
    import onnx

    assert "IsNaN" not in {node.op_type for node in onnx.load(str(exports[0])).graph.node}
    for ref_words, onnx_words in zip(reference, exported):
        assert [w[:2] for w in ref_words] == [w[:2] for w in onnx_words]
        assert max(abs(a[2] - b[2]) for a, b in zip(ref_words, onnx_words)) < 1e-4
    quantised = SpanModel.load(folder, int8=True)
    assert ":int8pc:" in quantised.version and len(quantised.word_probabilities(SENTENCES)) == len(SENTENCES)
    # the quantised network is scored with its own calibration and threshold
    assert quantised.settings.threshold == settings.int8_threshold
    assert quantised.calibrate(0.7) == pytest.approx(float(np.interp(0.7, settings.int8_calibration_x, settings.int8_calibration_y)))


def test_int8_results_of_a_text_do_not_depend_on_the_texts_beside_it(tiny_model, private_cache):
    # int8 scales activations per input tensor: in a batch, a window's outputs moved with its batch-mates
    folder = tiny_model[0] / "models" / "tiny-v1"
    together = SpanModel.load(folder, int8=True).word_probabilities(SENTENCES + [" ".join(SENTENCES * 6)])
    one_thread = SpanModel.load(folder, int8=True, threads=1)
    alone = [one_thread.word_probabilities([text])[0] for text in SENTENCES + [" ".join(SENTENCES * 6)]]
    assert together == alone
