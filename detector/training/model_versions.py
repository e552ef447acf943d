"""From a dataset to a shipped model version: train, save, calibrate."""

from __future__ import annotations

import json
from pathlib import Path

from detector.model.store import ModelSettings, save_model

TINY_BERT = {"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 64, "max_position_embeddings": 512}


def _texts_and_gold(rows) -> tuple[list[str], list[list[tuple[int, int]]]]:
    from detector.model.features import merge_runs

    texts = list(rows["text"])
    gold = [merge_runs([(s["start"], s["end"]) for s in json.loads(spans)], text) for text, spans in zip(texts, rows["spans"])]
    return texts, gold


def train_model_version(dataset: Path, output: Path, folder: Path, version: str, epochs: float, max_steps, batch_size: int,
                        learning_rate: float, eval_every: int, clean_weight: float, resume: bool, tiny: bool, seed: int,
                        init_from: Path | None = None, log=print) -> dict:
    import torch
    from tqdm import tqdm
    from transformers import BertConfig

    from detector.model.base import base_model_path, load_tokenizer
    from detector.model.network import SpanTagger
    from detector.model.store import load_model
    from detector.training.train import TrainConfig, train

    torch.manual_seed(seed)
    tokenizer = load_tokenizer()
    if init_from:
        # Training goes on from a shipped version's weights (its settings are refitted).
        network, settings, _ = load_model(init_from)
        network.train()
        bert_config = settings.bert_config
    elif tiny:
        bert_config = {**TINY_BERT, "vocab_size": tokenizer.vocab_size}
        network = SpanTagger.from_config(BertConfig(**bert_config))
    else:
        bert_config = {}
        network = SpanTagger.from_base(base_model_path())
    config = TrainConfig(dataset=dataset, output=output, epochs=epochs, max_steps=max_steps, batch_size=batch_size,
                         learning_rate=learning_rate, eval_every=eval_every, clean_weight=clean_weight, seed=seed)
    bar = tqdm(total=None, desc="training", unit="step", disable=None)

    def progress(step, total, loss):
        bar.total = total
        bar.n = step
        bar.set_postfix(loss=f"{loss:.4f}", refresh=False)
        bar.refresh()

    record = train(config, network, resume=resume, log=log, progress=progress)
    bar.close()
    settings = ModelSettings(version=version, bert_config=bert_config)
    settings.training = {k: v for k, v in record.items() if k != "history"}
    state = network.state_dict() if bert_config else network.trained_state()
    save_model(folder, state, settings)
    settings = calibrate_model_version(folder, dataset, log)
    return {"metrics": settings.metrics["validation_at_threshold"], "threshold": settings.threshold, "folder": str(folder), "training": record}


def calibrate_model_version(folder: Path, dataset: Path, log=print) -> ModelSettings:
    """Fit a saved version's calibration and default threshold on the validation split,
    for the network as shipped (fp16 weights) in full precision and again int8-quantised
    as ONNX Runtime runs it, and write them into its config.json and manifest."""
    import tempfile

    from datasets import load_from_disk

    from detector.model.base import load_tokenizer
    from detector.training.calibrate import fit_calibration
    from detector.model.span_model import SpanModel
    from detector.model.runtime import OnnxNetwork, export_onnx
    from detector.model.store import load_model, save_settings

    tagger, settings, _ = load_model(folder)
    tokenizer = load_tokenizer()
    texts, gold = _texts_and_gold(load_from_disk(str(dataset))["validation"])
    xs, ys, threshold, metrics, table = fit_calibration(SpanModel.from_tagger(tagger, tokenizer, settings), texts, gold)
    settings.calibration_x, settings.calibration_y, settings.threshold = xs, ys, threshold
    settings.metrics = {"validation_at_threshold": metrics, "validation_threshold_table": table}
    with tempfile.TemporaryDirectory() as work:
        exported = Path(work) / "model.int8.onnx"
        export_onnx(tagger, exported, int8=True)
        quantised = SpanModel(OnnxNetwork(exported), tokenizer, settings)
        xs, ys, threshold, metrics, _ = fit_calibration(quantised, texts, gold)
    settings.int8_calibration_x, settings.int8_calibration_y, settings.int8_threshold = xs, ys, threshold
    settings.metrics["int8_validation_at_threshold"] = metrics
    sums = save_settings(folder, settings)
    log(f"calibrated {folder}: threshold {settings.threshold} (int8 {threshold}), validation {settings.metrics['validation_at_threshold']}; sha256 {sums}")
    return settings
