"""From a dataset to a shipped model version: train, calibrate, measure, save."""

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
                        learning_rate: float, eval_every: int, resume: bool, tiny: bool, seed: int, log=print) -> dict:
    import torch
    from datasets import load_from_disk
    from tqdm import tqdm
    from transformers import BertConfig

    from detector.model.base import base_model_path, load_tokenizer
    from detector.model.calibrate import fit_calibration
    from detector.model.detector import SpanModel
    from detector.model.network import SpanTagger
    from detector.model.train import TrainConfig, train

    torch.manual_seed(seed)
    tokenizer = load_tokenizer()
    if tiny:
        bert_config = {**TINY_BERT, "vocab_size": tokenizer.vocab_size}
        network = SpanTagger.from_config(BertConfig(**bert_config))
    else:
        bert_config = {}
        network = SpanTagger.from_base(base_model_path())
    config = TrainConfig(dataset=dataset, output=output, epochs=epochs, max_steps=max_steps, batch_size=batch_size,
                         learning_rate=learning_rate, eval_every=eval_every, seed=seed)
    bar = tqdm(total=None, desc="training", unit="step", disable=None)

    def progress(step, total, loss):
        bar.total = total
        bar.n = step
        bar.set_postfix(loss=f"{loss:.4f}", refresh=False)
        bar.refresh()

    record = train(config, network, resume=resume, log=log, progress=progress)
    bar.close()
    settings = ModelSettings(version=version, bert_config=bert_config)
    span_model = SpanModel.from_tagger(network, tokenizer, settings)
    data = load_from_disk(str(dataset))
    texts, gold = _texts_and_gold(data["validation"])
    xs, ys, threshold, validation_metrics, table = fit_calibration(span_model, texts, gold)
    settings.calibration_x, settings.calibration_y, settings.threshold = xs, ys, threshold
    settings.metrics = {"validation_at_threshold": validation_metrics, "validation_threshold_table": table}
    settings.training = {k: v for k, v in record.items() if k != "history"}
    state = network.state_dict() if tiny else network.trained_state()
    sums = save_model(folder, state, settings)
    log(f"saved {folder} (threshold {threshold}, validation {validation_metrics}); sha256 {sums}")
    return {"metrics": settings.metrics["validation_at_threshold"], "threshold": threshold, "folder": str(folder), "training": record}
