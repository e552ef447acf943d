"""How the network runs: PyTorch (training, calibration) or ONNX Runtime (checking).

Checking runs the network through ONNX Runtime, which starts in a fraction of the time
torch and transformers take to import and is faster on CPU. The ONNX file is not
shipped (weights ship as safetensors only): it is exported from the shipped model on
first use, optionally int8-quantised, and kept in the cache folder under the model's
SHA-256, so a changed model never meets a stale export.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from detector import atomic

INPUTS = ("input_ids", "attention_mask", "casing_ids")
# Part of each cached export's name: change it whenever export_onnx changes what it
# writes, so an export made by an older unspin is never reused.
EXPORT_FORMAT = "x2"


def available_cores() -> int:
    """The cores this process may run on (fewer than the machine's under a CPU affinity mask)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# A window: token ids and casing ids, [CLS] and [SEP] included.
Window = tuple[list[int], list[int]]
BATCH_TOKENS = 1024  # PyTorch: tokens per batch, each window padded to the batch's longest


class TorchNetwork:
    """Runs windows in batches sorted by length, so little compute goes to padding."""

    def __init__(self, tagger):
        self.tagger = tagger

    def run_windows(self, windows: list[Window]) -> list[np.ndarray]:
        """Logits (tokens × labels) of each window, in order."""
        import torch

        out: list[np.ndarray | None] = [None] * len(windows)
        order = sorted(range(len(windows)), key=lambda w: len(windows[w][0]))
        batches, batch = [], []
        for w in order:
            if batch and (len(batch) + 1) * len(windows[w][0]) > BATCH_TOKENS:
                batches.append(batch)
                batch = []
            batch.append(w)
        if batch:
            batches.append(batch)
        for batch in batches:
            width = len(windows[batch[-1]][0])
            ids = np.zeros((len(batch), width), dtype=np.int64)
            casing, mask = np.zeros_like(ids), np.zeros_like(ids)
            for row, w in enumerate(batch):
                n = len(windows[w][0])
                ids[row, :n], casing[row, :n], mask[row, :n] = windows[w][0], windows[w][1], 1
            with torch.inference_mode():
                logits = self.tagger(torch.from_numpy(ids), torch.from_numpy(mask), torch.from_numpy(casing)).float().numpy()
            for row, w in enumerate(batch):
                out[w] = logits[row, : len(windows[w][0])]
        return out


class OnnxNetwork:
    """Runs each window on its own, on one single-threaded session called from one Python
    thread per core. int8 quantises activations with one scale per input tensor, so in a
    batch a window's outputs depended on its batch-mates (a file's findings changed with
    the files checked beside it); alone they depend on the window only. It is also
    faster: 4.4 s against 4.6 s for the windows of 200 BBC articles in batches of 8 on
    two intra-op threads (BENCHMARKS.md)."""

    def __init__(self, path: Path, threads: int | None = None):
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.threads = threads or available_cores()
        self._pool = None

    def _run(self, window: Window) -> np.ndarray:
        ids = np.asarray([window[0]], dtype=np.int64)
        feed = dict(zip(INPUTS, (ids, np.ones_like(ids), np.asarray([window[1]], dtype=np.int64))))
        return self.session.run(["logits"], feed)[0][0]

    def run_windows(self, windows: list[Window]) -> list[np.ndarray]:
        """Logits (tokens × labels) of each window, in order."""
        if self.threads == 1 or len(windows) == 1:
            return [self._run(w) for w in windows]
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(self.threads)  # session.run releases the GIL
        return list(self._pool.map(self._run, windows))


def export_onnx(tagger, target: Path, int8: bool) -> None:
    """Export the network to ONNX at `target` (written atomically), int8-quantised if asked."""
    import warnings

    import torch

    # Eager attention exports as an additive mask computed once; the default (SDPA)
    # exports a Where over the mask and a NaN guard in every layer, which took a
    # quarter of ONNX Runtime's time (int8, 128-token windows) for the same outputs.
    tagger.bert.set_attn_implementation("eager")
    with atomic.scratch(target) as work:
        plain = work / "model.onnx"
        example = torch.ones((1, 8), dtype=torch.long)
        axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, "logits")}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                tagger.eval(), (example, example, torch.zeros_like(example)), str(plain),
                input_names=list(INPUTS), output_names=["logits"], dynamic_axes=axes, opset_version=17, dynamo=False,
            )
        final = plain
        if int8:
            import logging

            from onnxruntime.quantization import QuantType, quantize_dynamic

            logging.getLogger().setLevel(logging.ERROR)  # the quantiser logs advice at WARNING
            final = work / "model.int8.onnx"
            # one scale per output channel: closer to full precision than one per tensor,
            # and as fast (docs/experiments.md)
            quantize_dynamic(str(plain), str(final), weight_type=QuantType.QInt8, per_channel=True)
        with atomic.replacing(target, tidy=True) as temporary:
            os.replace(final, temporary)
