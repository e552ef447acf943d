"""Fine-tuning the span tagger on the spun datasets.

A plain PyTorch loop over transformers' BertModel: length-bucketed batches (little
padding), AdamW with linear warm-up and decay, validation every `eval_every` steps,
early stopping on validation F1 of spun tokens, and a checkpoint after each
validation that `resume=True` continues from. Tokens of clean examples weigh more in
the loss: a false finding on clean text costs an editor more than a missed swap.
"""

from __future__ import annotations

import json
import math
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from detector.model.features import IGNORE


@dataclass
class TrainConfig:
    dataset: Path
    output: Path
    epochs: float = 1.0
    batch_size: int = 32
    learning_rate: float = 8e-5
    warmup_share: float = 0.05
    weight_decay: float = 0.01
    clean_weight: float = 1.5
    eval_every: int = 400
    eval_examples: int = 1500
    patience: int = 3
    max_steps: int | None = None
    seed: int = 13
    threads: int = 2


def _batches(lengths: list[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Batches of similar length: sort within shuffled chunks of 50 batches, then shuffle batches."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    chunk = batch_size * 50
    batches = []
    for i in range(0, len(order), chunk):
        part = sorted(order[i : i + chunk], key=lambda j: lengths[j])
        batches += [part[k : k + batch_size] for k in range(0, len(part), batch_size)]
    rng.shuffle(batches)
    return batches


def collate(rows: list[dict], clean_weight: float):
    import torch

    width = max(len(r["input_ids"]) for r in rows)
    shape = (len(rows), width)
    ids, casing = torch.zeros(shape, dtype=torch.long), torch.zeros(shape, dtype=torch.long)
    mask = torch.zeros(shape, dtype=torch.long)
    labels = torch.full(shape, IGNORE, dtype=torch.long)
    weights = torch.ones(len(rows))
    for i, row in enumerate(rows):
        n = len(row["input_ids"])
        ids[i, :n] = torch.tensor(row["input_ids"])
        casing[i, :n] = torch.tensor(row["casing_ids"])
        mask[i, :n] = 1
        labels[i, :n] = torch.tensor(row["labels"])
        weights[i] = 1.0 if row["spun"] else clean_weight
    return ids, mask, casing, labels, weights


def token_f1(model, rows: list[dict], batch_size: int = 64) -> dict:
    """Precision, recall and F1 of 'spun' (B or I) over labelled tokens."""
    import torch

    model.eval()
    tp = fp = fn = 0
    with torch.inference_mode():
        for i in range(0, len(rows), batch_size):
            ids, mask, casing, labels, _ = collate(rows[i : i + batch_size], 1.0)
            predicted = model(ids, mask, casing).argmax(-1) > 0
            gold = labels > 0
            valid = labels != IGNORE
            tp += int((predicted & gold & valid).sum())
            fp += int((predicted & ~gold & valid).sum())
            fn += int((~predicted & gold & valid).sum())
    model.train()
    precision = tp / max(1, tp + fp)
    recall = tp / max(1, tp + fn)
    return {"precision": precision, "recall": recall, "f1": 2 * precision * recall / max(1e-9, precision + recall)}


def train(config: TrainConfig, model, resume: bool = False, log=print, progress=None) -> dict:
    """Train `model` in place; returns the training record (best validation F1, steps, time)."""
    import torch
    from datasets import load_from_disk
    from safetensors.torch import load_file, save_file

    torch.manual_seed(config.seed)
    torch.set_num_threads(config.threads)
    data = load_from_disk(str(config.dataset))
    train_rows = data["train"]
    validation = data["validation"].select(range(min(config.eval_examples, len(data["validation"])))).to_list()
    lengths = [len(ids) for ids in train_rows["input_ids"]]
    steps_per_epoch = math.ceil(len(lengths) / config.batch_size)
    total_steps = config.max_steps or math.ceil(steps_per_epoch * config.epochs)
    parameters = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(parameters, lr=config.learning_rate, weight_decay=config.weight_decay)
    warmup = max(1, int(total_steps * config.warmup_share))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warmup, max(0.0, (total_steps - step) / max(1, total_steps - warmup)))
    )
    checkpoint = config.output / "checkpoint"
    state = {"step": 0, "best_f1": -1.0, "bad_evals": 0, "history": [], "seconds": 0.0}
    if resume and (checkpoint / "state.json").is_file():
        state = json.loads((checkpoint / "state.json").read_text())
        model.load_state_dict(load_file(str(checkpoint / "model.safetensors")))
        optimizer.load_state_dict(torch.load(checkpoint / "optimizer.pt", weights_only=True))
        scheduler.load_state_dict(torch.load(checkpoint / "scheduler.pt", weights_only=True))
        log(f"resumed at step {state['step']}")
    # The step budget of each stage: a resume with a larger --max-steps stretches the
    # learning-rate schedule, so reproducing the run takes one command per budget (a resume
    # after an interruption, same budget, is no new stage).
    budgets = state.setdefault("max_steps_by_stage", [])
    if not budgets or budgets[-1] != total_steps:
        budgets.append(total_steps)
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=IGNORE, reduction="none")
    model.train()
    started = time.time() - state["seconds"]
    step = 0
    epoch = 0
    stop = False
    while not stop:
        for batch in _batches(lengths, config.batch_size, random.Random(config.seed + epoch)):
            step += 1
            if step <= state["step"]:
                continue  # fast-forward to the checkpoint, batch order is seeded per epoch
            if step > total_steps:
                stop = True  # resumed at the end: nothing left to train
                break
            ids, mask, casing, labels, weights = collate([train_rows[i] for i in batch], config.clean_weight)
            logits = model(ids, mask, casing)
            token_loss = loss_fn(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1)).reshape(labels.shape)
            token_weights = (labels != IGNORE).float() * weights[:, None]
            loss = (token_loss * token_weights).sum() / token_weights.sum().clamp(min=1)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(parameters, 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            state["step"] = step
            if progress:
                progress(step, total_steps, loss.item())
            if step % config.eval_every == 0 or step >= total_steps:
                metrics = token_f1(model, validation)
                state["seconds"] = time.time() - started
                state["history"].append({"step": step, "loss": loss.item(), **metrics})
                log(f"step {step}/{total_steps}: loss {loss.item():.4f}, validation token F1 {metrics['f1']:.4f} (P {metrics['precision']:.3f} R {metrics['recall']:.3f})")
                if metrics["f1"] > state["best_f1"]:
                    state["best_f1"], state["bad_evals"] = metrics["f1"], 0
                    config.output.mkdir(parents=True, exist_ok=True)
                    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(config.output / "best.safetensors"))
                else:
                    state["bad_evals"] += 1
                checkpoint.mkdir(parents=True, exist_ok=True)
                save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(checkpoint / "model.safetensors"))
                torch.save(optimizer.state_dict(), checkpoint / "optimizer.pt")
                torch.save(scheduler.state_dict(), checkpoint / "scheduler.pt")
                (checkpoint / "state.json").write_text(json.dumps(state))
                if state["bad_evals"] >= config.patience:
                    log("early stopping: validation F1 stopped improving")
                    stop = True
            if step >= total_steps or stop:
                stop = True
                break
        epoch += 1
    model.load_state_dict(load_file(str(config.output / "best.safetensors")))
    model.eval()
    record = {
        "config": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(config).items()},
        "steps": state["step"],
        "max_steps_by_stage": state["max_steps_by_stage"],
        "best_validation_token_f1": state["best_f1"],
        "history": state["history"],
        "seconds": round(time.time() - started),
        "train_examples": len(lengths),
        "train_tokens": sum(lengths),
    }
    (config.output / "training.json").write_text(json.dumps(record, indent=2))
    return record
