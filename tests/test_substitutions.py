"""Two-step thesaurus candidates and their learnt prior (detector/suggest/sources/substitutions.py)."""

import pytest

from detector.suggest.sources.substitutions import FEATURES, Prior, Relation, Substitutions
from detector.thesaurus import Thesaurus

# "interest" lists "premium" third; "bonus" lists it first; "premium" lists "payment";
# "payment" lists "fee": "fee" is two steps from "premium", through "payment" only
TOY = Thesaurus({
    "interest": {"n": ("concern", "stake", "premium")},
    "bonus": {"n": ("premium", "reward")},
    "premium": {"n": ("payment",)},
    "payment": {"n": ("fee", "premium")},
    "reward": {"n": ("prize",)},
})
FREQUENCY = {"interest": 1e-4, "bonus": 1e-5, "payment": 1e-5, "fee": 1e-5, "reward": 1e-5, "stake": 1e-5, "concern": 1e-5, "prize": 1e-5, "premium": 1e-6}.get


def test_one_step_is_either_direction_with_list_positions():
    step = Relation(TOY).step("premium")
    # (premium's position in their entry, their position in premium's entry)
    assert step["interest"] == (2, None)
    assert step["bonus"] == (0, None)
    assert step["payment"] == (1, 0)
    assert "premium" not in step


def test_two_steps_count_paths_and_keep_the_shortest_list_positions():
    features = Relation(TOY, lambda w: FREQUENCY(w, 1e-9)).features("premium")
    named = {c: dict(zip(FEATURES, f)) for c, f in features.items()}
    assert named["interest"]["one_step"] == 1.0 and named["interest"]["lists_written"] == 1.0
    # two steps: "fee" (via payment), "reward" (via bonus), "concern" and "stake" (via interest)
    assert {c for c, f in named.items() if f["one_step"] == 0.0} == {"fee", "reward", "concern", "stake"}
    assert named["reward"]["paths"] == pytest.approx(0.6931, abs=1e-3)  # log(1 + 1 path)
    assert "prize" not in named  # three steps


def test_candidates_rank_by_the_prior_and_carry_inflection_and_casing():
    # a prior that counts only "the candidate's entry lists the written word", and frequency
    weights = [0.0] * len(FEATURES)
    weights[FEATURES.index("lists_written")] = 5.0
    weights[FEATURES.index("candidate_zipf")] = 1.0
    substitutions = Substitutions(Relation(TOY, lambda w: FREQUENCY(w, 1e-9)), Prior(weights, 0.0))
    ranked = substitutions.candidates("Premiums", 3)
    assert [text for text, _ in ranked] == ["Interests", "Bonuses", "Payments"]
    assert ranked[0][1] > ranked[1][1] == ranked[2][1]  # a tie keeps text order
    assert len(substitutions.candidates("premium", 100)) == 7  # three one step away, four two


def test_the_shipped_prior_is_fitted_on_these_features_and_favours_the_spinner_direction():
    prior = Prior.shipped()
    assert len(prior.weights) == len(FEATURES)
    base = dict.fromkeys(FEATURES, 0.0) | {"candidate_zipf": 4.5, "written_zipf": 3.5, "candidate_zipf_squared": 4.5**2}
    one_step = base | {"one_step": 1.0, "lists_written": 1.0, "one_step_candidate_zipf": 4.5}
    two_steps = base | {"paths": 0.6931, "path_rank": 1.0}
    assert prior.logit([one_step[n] for n in FEATURES]) > prior.logit([two_steps[n] for n in FEATURES])
