"""The fine-tuned span tagger at inference: text in, scored character spans out.

Long texts are cut into overlapping token windows, which the runtime runs (runtime.py:
each on its own under ONNX Runtime, so a document's findings depend on its text only,
not on the documents checked beside it). Token
probabilities become word probabilities (mean over a word's sub-words, taking the
window where the word is furthest from an edge), words above the word threshold join
into spans, and a span's raw score (its mean word probability) is calibrated on
validation data into a probability.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from detector.model.features import casing_ids
from detector.words import TAGGER_WORD

SPAN_GAP = re.compile(r"[ \t\-]*")


@dataclass
class RawSpan:
    start: int
    end: int
    score: float


class SpanModel:
    """The network with its tokenizer and settings: text in, scored character spans out.

    `network` maps windows (token ids, casing ids) to logits; see runtime.py.
    """

    def __init__(self, network, tokenizer, settings, version: str = ""):
        self.network = network
        self.tokenizer = tokenizer
        self.settings = settings
        self.version = version or settings.version
        self._knots = (np.asarray(settings.calibration_x, dtype=float), np.asarray(settings.calibration_y, dtype=float))

    @classmethod
    def load(cls, folder: Path, int8: bool = False, threads: int | None = None) -> SpanModel:
        """A shipped model version run by ONNX Runtime (exported and cached on first use)."""
        from detector.cache import default_cache_dir
        from detector.model.base import load_tokenizer
        from detector.model.runtime import EXPORT_FORMAT, OnnxNetwork, export_onnx
        from detector.model.store import load_model, load_settings, verify

        digest = verify(folder)["sha256"]["model.safetensors"]
        settings = load_settings(folder, int8)
        precision = "int8pc" if int8 else "fp32"  # pc: per-channel scales (runtime.py)
        exported = default_cache_dir() / "models" / f"{settings.version}-{digest[:16]}-{precision}-{EXPORT_FORMAT}.onnx"
        if not exported.is_file():
            # the first check on a machine waits for this export: say so, not silence
            print("unspin: preparing the span tagger for this machine (once; about 10 s)…", file=sys.stderr)
            tagger, _, _ = load_model(folder)
            export_onnx(tagger, exported, int8)
        return cls(OnnxNetwork(exported, threads), load_tokenizer(), settings, f"{settings.version}:{digest[:16]}:{precision}:{EXPORT_FORMAT}")

    @classmethod
    def from_tagger(cls, tagger, tokenizer, settings) -> SpanModel:
        """A network being trained, run by PyTorch (calibration and tests)."""
        from detector.model.runtime import TorchNetwork

        return cls(TorchNetwork(tagger), tokenizer, settings)

    def calibrate(self, raw: float) -> float:
        return float(self._calibrated(np.asarray(raw, dtype=float)))

    def _calibrated(self, raw: np.ndarray) -> np.ndarray:
        """The isotonic calibration; below its first knot (the word threshold: no span was
        scored lower when it was fitted) a straight line down to 0, so that spans of less
        sure words, which only a lowered threshold forms, score lower still."""
        (x, y), x0 = self._knots, self._knots[0][0]
        return np.where(raw < x0, raw * y[0] / x0, np.interp(raw, x, y))

    def word_cut(self, threshold: float | None) -> float:
        """The word probability from which words join spans for a check at `threshold`:
        the word threshold, or lower where a lower threshold asks for spans of less sure
        words (the lowest raw score calibrated to at least it), so that lowering the
        threshold finds more."""
        cut = self.settings.word_threshold
        if threshold is None:
            return cut
        raws = np.linspace(0.0, cut, 501)
        reaching = raws[self._calibrated(raws) >= threshold]
        return float(reaching[0]) if reaching.size else cut

    def word_probabilities(self, texts: list[str], at_least: float = 0.0) -> list[list[tuple[int, int, float]]]:
        """For each text, (start, end, probability spun) of every word with at least that probability."""
        inner = self.settings.max_tokens - 2
        encodings, windows = [], []
        for t, (text, (ids, offsets)) in enumerate(zip(texts, self.tokenizer.encode_many(texts))):
            encodings.append((ids, offsets, casing_ids(text, offsets)))
            start = 0
            while True:
                windows.append((t, start, min(len(ids), start + inner)))
                if start + inner >= len(ids):
                    break
                start += self.settings.stride
        probabilities = [np.zeros(len(e[0])) for e in encodings]
        best_margin = [np.full(len(e[0]), -1) for e in encodings]
        cls_id, sep_id = self.tokenizer.cls_id, self.tokenizer.sep_id
        inputs = []
        for t, a, b in windows:
            token_ids, _, casings = encodings[t]
            inputs.append(([cls_id, *token_ids[a:b], sep_id], [0, *casings[a:b], 0]))
        for (t, a, b), logits in zip(windows, self.network.run_windows(inputs)):
            logits = logits[1:-1]
            weights = np.exp(logits - logits.max(axis=-1, keepdims=True))
            values = 1.0 - weights[:, 0] / weights.sum(axis=-1)
            positions = np.arange(a, b)
            margin = np.minimum(positions - a, b - 1 - positions)
            better = margin > best_margin[t][a:b]
            probabilities[t][a:b][better] = values[better]
            best_margin[t][a:b][better] = margin[better]

        out = []
        for text, (_, offsets, _), probs in zip(texts, encodings, probabilities):
            spans = np.array([m.span() for m in TAGGER_WORD.finditer(text)], dtype=np.int64).reshape(-1, 2)
            tokens = np.array(offsets, dtype=np.int64).reshape(-1, 2)
            # a word's tokens: from the first ending after its start to the last starting before its end
            first = np.searchsorted(tokens[:, 1], spans[:, 0], side="right")
            stop = np.searchsorted(tokens[:, 0], spans[:, 1], side="left")
            totals = np.concatenate(([0.0], np.cumsum(probs)))
            means = (totals[stop] - totals[first]) / np.maximum(stop - first, 1)
            kept = (stop > first) & (means >= at_least)
            out.append(list(zip(spans[kept, 0].tolist(), spans[kept, 1].tolist(), means[kept].tolist())))
        return out

    def raw_spans(self, texts: list[str], cut: float | None = None) -> list[list[RawSpan]]:
        """Runs of words from the `cut` (default: the word threshold), separated only by
        spaces or hyphens."""
        cut = self.settings.word_threshold if cut is None else cut
        result = []
        # words below the cut are left out: the text between two kept words then holds
        # letters, so SPAN_GAP does not join them
        for text, words in zip(texts, self.word_probabilities(texts, at_least=cut)):
            spans: list[RawSpan] = []
            run: list[tuple[int, int, float]] = []
            for word in words + [(len(text) + 1, len(text) + 1, 0.0)]:
                joined = run and SPAN_GAP.fullmatch(text, run[-1][1], word[0]) is not None
                if word[2] >= cut and (not run or joined):
                    run.append(word)
                    continue
                if run:
                    spans.append(RawSpan(run[0][0], run[-1][1], float(np.mean([p for _, _, p in run]))))
                run = [word] if word[2] >= cut else []
            result.append(spans)
        return result
