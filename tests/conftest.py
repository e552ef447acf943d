"""Shared fixtures: sample articles written by the tests themselves (never the corpora)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from detector.cli import main

SPUN_SENTENCE = "The Unfamiliar Clergyman spoke at a squeeze meeting on Tuesday."
CLEAN_SENTENCE = "The Foreign Minister spoke at a press conference on Tuesday."


@pytest.fixture(autouse=True)
def without_shipped_model(request, monkeypatch):
    """Tests of the pipeline see table and quality findings only; model tests opt in with the
    `shipped_model` marker so their expectations do not shift with each model version."""
    if "shipped_model" not in request.keywords:
        monkeypatch.setattr("detector.wiring.load_shipped_model", lambda int8=False, threads=None: (None, None))


@pytest.fixture(autouse=True)
def without_installed_language_model(monkeypatch):
    """The optional SmolLM2 package may be installed on a developer's machine; tests behave
    as on a fresh install, and test_lm.py builds its own tiny language model."""
    monkeypatch.setattr("detector.language_model.gguf_folder", lambda: None)


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def test_cache(shared_cache, monkeypatch):
    """Tests share one cache folder (compiled tables, exported models, results: all keyed by
    content), never the user's; tests that inspect the cache ask for `private_cache`."""
    monkeypatch.setenv("UNSPIN_CACHE_DIR", str(shared_cache))


@pytest.fixture
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("UNSPIN_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _runner(command):
    """Invoke `command` in-process; returns (exit code, stdout, stderr)."""

    def run(*args, stdin: bytes | None = None):
        result = CliRunner().invoke(command, list(args), input=stdin, catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    return run


@pytest.fixture
def run_cli():
    """`unspin`, in-process."""
    return _runner(main)


@pytest.fixture
def run_dev_cli():
    """`unspin-dev` (the developer commands), in-process."""
    from detector.training.cli import main as dev

    return _runner(dev)


@pytest.fixture
def articles(tmp_path):
    """A folder with one spun article in each format, one clean article and a code file."""
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "spun.txt").write_text(f"Headline\n\n{SPUN_SENTENCE}\nSecond line.\n", encoding="utf-8")
    (folder / "spun.md").write_text(
        "---\ntitle: Unfamiliar Clergyman\n---\n# Talks\n\n"
        f"Officials said **{SPUN_SENTENCE[4:]}**\n\n```\nunfamiliar clergyman in code\n```\n",
        encoding="utf-8",
    )
    (folder / "spun.html").write_text(
        "<html><head><style>p{}</style></head><body><h1>Talks</h1>"
        "<p>The <em>Unfamiliar</em> Clergyman&rsquo;s trip was in the rouse of the polite war.</p>"
        "<script>var unfamiliar_clergyman = 1;</script></body></html>",
        encoding="utf-8",
    )
    (folder / "clean.txt").write_text(CLEAN_SENTENCE + "\n", encoding="utf-8")
    (folder / "notes.py").write_text("x = 'unfamiliar clergyman'\n", encoding="utf-8")
    return folder


def findings_of(stdout: str) -> dict[str, list[dict]]:
    report = json.loads(stdout)
    return {f["path"]: f["findings"] for f in report["files"]}


LM_TEXTS = ["The Foreign Minister spoke at a press conference on Tuesday.", "Researchers used artificial intelligence to sort the images."]


@pytest.fixture(scope="session")
def tiny_lm_cache(tmp_path_factory):
    """A cache folder holding a tiny randomly initialised Llama and byte-level BPE tokenizer
    where the language-model judge keeps its converted SmolLM2."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    from detector import language_model as lm

    cache = tmp_path_factory.mktemp("lm-cache")
    folder = cache / "lm" / lm.NAME
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.train_from_iterator(LM_TEXTS, trainers.BpeTrainer(vocab_size=300, special_tokens=[lm.DOCUMENT_START], initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe, eos_token=lm.DOCUMENT_START)
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=bpe.get_vocab_size(), hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=4)
    LlamaForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return cache
