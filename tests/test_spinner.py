import json

import pytest
from hypothesis import given, settings, strategies as st

from detector.lexicon import Term
from detector.training.spinner import KINDS, SpinConfig, Spinner
from detector.thesaurus import Thesaurus, shipped_thesaurus

ARTICLE = (
    "The Foreign Minister told a press conference on Tuesday that nuclear-armed states must talk. "
    "Chief Executive Jane Smith said an historic deal was expected, as well as new rules for banks. "
    '"We will cut interest rates," the governor said, in the wake of the civil war.'
)


@pytest.fixture(scope="module")
def spinner():
    lexicon = [Term(t, 1, "test") for t in ("Foreign Minister", "press conference", "interest rates", "in the wake of", "civil war", "Chief Executive")]
    return Spinner(shipped_thesaurus(), lexicon)


def test_spans_map_to_originals_and_unspinning_restores_the_input(spinner):
    for seed in range(30):
        result = spinner.spin(ARTICLE, seed=seed, rate=0.4)
        assert result.unspin() == ARTICLE
        previous_end = 0
        for span in result.spans:
            assert previous_end <= span.start < span.end <= len(result.text)
            assert result.text[span.start : span.end] != span.original
            assert span.kind in KINDS
            previous_end = span.end


def test_same_seed_same_output_and_rate_controls_density(spinner):
    assert spinner.spin(ARTICLE, seed=7).to_dict() == spinner.spin(ARTICLE, seed=7).to_dict()
    assert spinner.spin(ARTICLE, seed=7).text != spinner.spin(ARTICLE, seed=8).text
    low = sum(len(spinner.spin(ARTICLE, seed=s, rate=0.1).spans) for s in range(20))
    high = sum(len(spinner.spin(ARTICLE, seed=s, rate=0.5).spans) for s in range(20))
    assert high > 1.5 * low
    assert spinner.spin(ARTICLE, seed=1, rate=0.0).spans == [] or all(
        s.kind == "phrase" for s in spinner.spin(ARTICLE, seed=1, rate=0.0).spans
    )


def test_proper_nouns_numbers_and_function_words_stay(spinner):
    text = "Jane Smith and the UN met on 12 May in Paris."
    for seed in range(20):
        result = spinner.spin(text, seed=seed, rate=1.0)
        for span in result.spans:
            assert span.original not in ("Jane", "Smith", "UN", "12", "Paris", "and", "the", "on", "in")


def test_title_case_offices_are_spun_and_names_are_not():
    thesaurus = Thesaurus({"chief": {"a": ("boss",)}, "executive": {"n": ("official",)}, "smith": {"n": ("blacksmith",)}, "jane": {"n": ("dame",)}})
    spinner = Spinner(thesaurus, [Term("chief executive", 1, "t")], SpinConfig(rate=1.0, phrase_rate=0.0))
    result = spinner.spin("Shares rose after Chief Executive Jane Smith spoke.", seed=0)
    assert result.text == "Shares rose after Boss Official Jane Smith spoke."
    assert {s.original for s in result.spans} == {"Chief", "Executive"}


def test_all_behaviours_occur_and_keep_case_and_inflection():
    thesaurus = Thesaurus(
        {
            "foreign": {"a": ("unfamiliar",)},
            "minister": {"n": ("clergyman",)},
            "nuclear": {"a": ("atomic",)},
            "armed": {"a": ("outfitted",)},
            "historic": {"a": ("notable",)},
            "press": {"n": ("squeeze",), "v": ("push",)},
            "rate": {"n": ("pace",), "v": ("grade",)},
        }
    )
    spinner = Spinner(thesaurus, [Term("Foreign Minister", 1, "t")], SpinConfig(rate=1.0, phrase_rate=1.0, register_rate=1.0, slip_rate=0.0))
    result = spinner.spin("Two Foreign Ministers. A historic press. Nuclear-armed states. The information rates.", seed=3)
    spun = {(result.text[s.start : s.end], s.original, s.kind) for s in result.spans}
    assert ("Unfamiliar Clergymen", "Foreign Ministers", "phrase") in spun
    assert ("A notable", "A historic", "agreement") not in spun  # "a notable" still agrees
    assert ("Atomic outfitted", "Nuclear-armed", "compound") in spun
    assert ("info", "information", "register") in spun
    assert ("paces", "rates", "synonym") in spun
    slip = Spinner(thesaurus, [], SpinConfig(rate=1.0, slip_rate=1.0)).spin("The historic press.", seed=1)
    assert [(slip.text[s.start : s.end], s.kind) for s in slip.spans][-1] == ("push", "pos_slip")
    agreement = Spinner(Thesaurus({"historic": {"a": ("notable",)}}), [], SpinConfig(rate=1.0)).spin("an historic day", seed=0)
    assert [(agreement.text[s.start : s.end], s.original, s.kind) for s in agreement.spans] == [("an notable", "an historic", "agreement")]


@settings(max_examples=60, deadline=None)
@given(text=st.text(alphabet=st.sampled_from("ab cdeFG-'.,\n”“") , max_size=80) | st.sampled_from([ARTICLE]), seed=st.integers(0, 1000), rate=st.floats(0, 1))
def test_unspin_is_exact_for_any_text(spinner, text, seed, rate):
    result = spinner.spin(text, seed=seed, rate=rate)
    assert result.unspin() == text


def test_spin_command_prints_text_and_spans(run_dev_cli):
    code, out, _ = run_dev_cli("spin", "--seed", "4", "--rate", "0.5", "-", stdin=ARTICLE.encode())
    assert code == 0
    result = json.loads(out)
    assert set(result) == {"text", "spans"} and result["spans"]
    for span in result["spans"]:
        assert set(span) == {"start", "end", "original", "kind"}
    code, _, err = run_dev_cli("spin", "--kinds", "nope", "-", stdin=b"x")
    assert code == 2 and "unknown kind" in err


REAL_PAIRS = [
    {"tortured": "profound learning", "correct": "deep learning"},
    {"tortured": "profound neural organization", "correct": "deep neural network"},
    {"tortured": "get to data", "correct": "access to information"},
    {"tortured": "get to to the records", "correct": "access to the records"},
    {"tortured": "squeeze meeting", "correct": "press conference"},
]


def test_real_swaps_learn_word_swaps_and_whole_terms():
    from detector.training.real_swaps import RealSwaps

    real = RealSwaps.from_pairs(REAL_PAIRS)
    assert real.words["deep"] == {"profound": 2}
    assert real.words["network"] == {"organization": 1}
    assert real.words["access"] == {"get": 1, "get to": 1}  # one word spun into two
    assert "to" not in real.words and "learning" not in real.words  # unchanged and function words
    assert real.terms[("press", "conference")] == ["squeeze meeting"]


def test_spinner_makes_real_spinners_swaps_with_inflection_and_plants_terms():
    from detector.training.real_swaps import RealSwaps

    real = RealSwaps.from_pairs(REAL_PAIRS)
    thesaurus = Thesaurus({"network": {"n": ("web",)}, "press": {"n": ("push",)}})
    config = SpinConfig(rate=1.0, real_share=1.0, real_term_rate=1.0)
    text = "Their networks ran deep. The press conference ended."
    result = Spinner(thesaurus, [], config, real=real).spin(text, seed=0)
    spun = {(result.text[s.start : s.end], s.original, s.kind) for s in result.spans}
    assert ("organizations", "networks", "real") in spun
    assert ("profound", "deep", "real") in spun
    assert ("squeeze meeting", "press conference", "real") in spun
    assert result.unspin() == text
    # without the pairs, or with the kind left out, only the thesaurus is drawn from
    plain = Spinner(thesaurus, [], config).spin(text, seed=0)
    assert {s.kind for s in plain.spans} == {"synonym"}
    left_out = Spinner(thesaurus, [], SpinConfig(rate=1.0, kinds=("synonym",)), real=real).spin(text, seed=0)
    assert "real" not in {s.kind for s in left_out.spans}


def test_data_build_refuses_the_evaluation_pairs(run_dev_cli, tmp_path):
    pairs = tmp_path / "pairs_dev.jsonl"
    pairs.write_text(json.dumps(REAL_PAIRS[0]) + "\n")
    code, _, err = run_dev_cli("data", "build", "--corpora", str(tmp_path), "--real-pairs", str(pairs), "--output", str(tmp_path / "out"))
    assert code == 2 and "evaluation-only" in err


def test_spin_command_makes_real_swaps_and_names_a_bad_pairs_file(run_dev_cli, tmp_path):
    pairs = tmp_path / "pairs_train.jsonl"
    pairs.write_text("".join(json.dumps(p) + "\n" for p in REAL_PAIRS))
    code, out, _ = run_dev_cli("spin", "--rate", "1", "--kinds", "real", "--real-pairs", str(pairs), "-", stdin=b"Deep cuts were made at the press conference.")
    assert code == 0
    result = json.loads(out)
    assert {(result["text"][s["start"] : s["end"]], s["kind"]) for s in result["spans"]} >= {("Profound", "real")}
    pairs.write_text("not json\n")
    code, _, err = run_dev_cli("spin", "--real-pairs", str(pairs), "-", stdin=b"text")
    assert code == 2 and str(pairs) in err and "Traceback" not in err
