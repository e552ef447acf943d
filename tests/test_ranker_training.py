"""scripts/train_ranker.py: the networks it trains and the one file it ships them as."""

import importlib.util
from pathlib import Path

import numpy as np

from detector.suggest.judges.ranker import FEATURES, Ranker

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "train_ranker.py"


def load_script():
    spec = importlib.util.spec_from_file_location("train_ranker", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def groups_where_one_feature_decides(count: int, seed: int):
    """Groups of 3–8 candidates of noise features; the right one has the highest 'channel'."""
    rng = np.random.RandomState(seed)
    channel = FEATURES.index("channel")
    groups = []
    for _ in range(count):
        rows = rng.normal(size=(rng.randint(3, 9), len(FEATURES))).astype(np.float32)
        groups.append((rows, int(np.argmax(rows[:, channel]))))
    return groups


def test_ranker_training_learns_and_ships_the_seeds_mean_as_one_network():
    script = load_script()
    script.EPOCHS = 30
    learn, check = groups_where_one_feature_decides(400, 1), groups_where_one_feature_decides(200, 2)
    both = Ranker(script.train(learn, [13, 14]))
    alone = [Ranker(script.train(learn, [seed])) for seed in (13, 14)]
    assert both.tensors["hidden.weight"].shape == (2 * script.HIDDEN, len(FEATURES))
    for rows, _ in check[:20]:
        np.testing.assert_allclose(both.scores(rows), (alone[0].scores(rows) + alone[1].scores(rows)) / 2, rtol=1e-4, atol=1e-5)
    assert script.first_right(check, both.scores) > 0.8  # chance is about 1 in 5
