import json

import numpy as np
import pytest

from detector.document import Document
from detector.findings import Finding
from detector.lexicon import Term
from detector.suggest.contracts import Candidate, Ranked, Source
from detector.suggest.evidence.channel import DEPTH, UNEXPLAINED, Channel
from detector.suggest.evidence.collocations import Collocations, shipped_collocations, tokens
from detector.suggest.evidence.index import combined_frequency, open_index
from detector.suggest.evidence.topics import Topics, content_lemmas
from detector.suggest.judges.ranker import CandidateFeatures, Ranker, RankerJudge, shipped_ranker
from detector.suggest.sources.lexicon import LexiconCandidates
from detector.suggest.sources.table import TableCandidates, table_sources
from detector.suggest.sources.words import WordCandidates, reverse_thesaurus
from detector.suggest.suggester import SpinSuggester
from detector.tables import GENERATED, Entry, MappingTable
from detector.thesaurus import Thesaurus

THESAURUS = Thesaurus(
    {
        "chief": {"n": ("boss", "top dog", "head")},
        "executive": {"n": ("official", "administrator")},
        "nuclear": {"a": ("atomic",)},
        "armed": {"a": ("equipped", "outfitted")},
        "foreign": {"a": ("unfamiliar", "alien")},
        "minister": {"n": ("clergyman", "pastor")},
        "press": {"n": ("squeeze",)},
        "conference": {"n": ("meeting",)},
        "meeting": {"n": ("conference", "gathering")},
        "release": {"v": ("sack", "free")},
        "open": {"v": ("get under way", "start")},
    }
)
LEXICON = [Term("Chief Executive", 600, "hand"), Term("nuclear-armed", 30, "hand"), Term("Foreign Minister", 70, "hand"), Term("press conference", 150, "hand")]


def texts(candidates):
    return [c.text for c in sorted(candidates, key=lambda c: -c.prior)]


def rescored(judge, doc, finding, candidates) -> dict[str, float]:
    """The judge's scores of `candidates` for `finding`, by text, best first."""
    [ranked] = judge.rescore(doc, [(finding, Ranked.by_prior(candidates))])
    return {c.text: score for c, score in ranked}


def test_lexicon_search_aligns_one_word_to_several_and_back():
    lexicon = LexiconCandidates(LEXICON, THESAURUS)
    assert texts(lexicon.candidates("atomic outfitted"))[0] == "nuclear-armed"
    assert texts(lexicon.candidates("top dog official"))[0] == "chief executive"
    assert texts(lexicon.candidates("unfamiliar pastor"))[0] == "foreign minister"
    assert lexicon.candidates("random words") == []


def test_lexicon_search_reads_a_hyphenated_compound_as_one_thesaurus_word():
    thesaurus = Thesaurus({"year": {"n": ("man-hour",)}})
    lexicon = LexiconCandidates([Term("last year", 900, "hand")], thesaurus)
    assert texts(lexicon.candidates("last man-hour")) == ["last year"]


def test_word_candidates_run_the_swap_backwards():
    words = WordCandidates(reverse_thesaurus(THESAURUS))
    # the originals are the headwords whose entries list the flagged word ("meeting" is
    # listed under "conference"), not the flagged word's own synonyms
    assert "press conference" in texts(words.candidates("squeeze meeting"))
    assert "Released" in texts(words.candidates("Sacked"))  # inflection and casing kept
    assert "open" in texts(words.candidates("get under way"))  # a run standing for one word
    assert words.candidates("unrelated words") == []


def test_suggestions_keep_inflection_and_casing_and_table_comes_first():
    table = MappingTable([Entry("unfamiliar clergyman", ("foreign minister",), "t")])
    suggester = SpinSuggester([TableCandidates(table)], [LexiconCandidates(LEXICON, THESAURUS), WordCandidates(reverse_thesaurus(THESAURUS))], [], "test")
    doc = Document.plain("a.txt", "Two Unfamiliar Clergymen and the Atomic Outfitted states, with Top Dog Officials.")
    findings = []
    for phrase in ("Unfamiliar Clergymen", "Atomic Outfitted", "Top Dog Officials"):
        start = doc.text.index(phrase)
        findings.append(Finding("SPUN001", "error", start, start + len(phrase), 0.9, "model", "m"))
    suggester.suggest(doc, findings)
    assert [f.suggestions[0].text for f in findings] == ["Foreign Ministers", "Nuclear-Armed", "Chief Executives"]
    for f in findings:
        assert [s.score for s in f.suggestions] == sorted((s.score for s in f.suggestions), reverse=True)
        assert len(f.suggestions) <= 5


def test_generated_table_entries_compete_with_the_search_and_hand_entries_end_it():
    table = MappingTable(
        [
            Entry("unfamiliar clergyman", ("foreign minister",), "hand"),
            Entry("last class", ("prior year",), GENERATED, score=0.85),
            Entry("unfamiliar clergyman met", ("foreign minister fulfilled",), GENERATED, score=0.85),
        ]
    )
    listed, generated = table_sources(table)
    words = WordCandidates(reverse_thesaurus(Thesaurus({"year": {"n": ("class",)}})))
    suggester = SpinSuggester([listed], [words, generated], [], "test")
    text = "Sales rose in the last class and two Unfamiliar Clergymen met."
    start = text.index("last class")
    found = {c.text: c.source for c in suggester.candidates(text, start, start + len("last class")).candidates}
    assert found["prior year"] == Source.GENERATED and found["last year"] == Source.WORDS
    start = text.index("Unfamiliar Clergymen")
    assert [(c.text, c.source) for c in suggester.candidates(text, start, start + len("Unfamiliar Clergymen")).candidates] == [("Foreign Ministers", Source.LISTED)]
    # a longer generated entry over the same words does not hide the hand entry
    assert [(c.text, c.source) for c in listed.candidates("Unfamiliar Clergymen met")] == [("Foreign Ministers met", "table")]


def test_word_candidates_rank_ties_the_same_in_every_run():
    # equally (un)common originals: their order must not follow set order, which changes
    # from run to run, or cached and fresh results would disagree
    heads = ["qzvb", "qzva", "qzvd", "qzvc"]
    words = WordCandidates(reverse_thesaurus(Thesaurus({h: {"n": ("xqzz",)} for h in heads})))
    assert texts(words.candidates("xqzz")) == sorted(heads)


def _topics(groups: dict[str, list[str]]) -> Topics:
    """Word vectors in which the words of a group point the same way, groups at right angles."""
    words = [w for group in groups.values() for w in group]
    vectors = np.zeros((len(words), len(groups)), dtype=np.float32)
    for column, group in enumerate(groups.values()):
        for w in group:
            vectors[words.index(w), column] = 1.0
    return Topics(words, vectors)


NO_TOPICS = _topics({})


def _judge(collocations, thesaurus=THESAURUS, topics=NO_TOPICS):
    return RankerJudge(CandidateFeatures(collocations, Channel(thesaurus), topics), shipped_ranker())


def test_ranker_prefers_the_candidate_that_fits_its_neighbours():
    collocations = Collocations(
        {"a": 20, "press": 6, "push": 6, "conference": 6, "meeting": 6, "that": 20},
        {"a press": 5, "press conference": 5, "conference that": 4, "a push": 1},
    )
    doc = Document.plain("a.txt", "She told a squeeze meeting that rates would rise.")
    start = doc.text.index("squeeze meeting")
    finding = Finding("SPUN001", "error", start, start + len("squeeze meeting"), 0.9, "model", "m")
    candidates = [Candidate("push meeting", 0.9, Source.WORDS), Candidate("press conference", 0.2, Source.LEXICON), Candidate("Crush Meeting", 0.97, Source.LISTED)]
    judged = rescored(_judge(collocations), doc, finding, candidates)
    assert judged["press conference"] > judged["push meeting"]
    assert judged["press conference"] + judged["push meeting"] == pytest.approx(1.0)
    assert judged["Crush Meeting"] == 0.97  # table candidates keep their score


def _judged_order(thesaurus, text="we mend it", topics=NO_TOPICS):
    """Candidates for "mend" that the bigrams cannot tell apart, ranked by the ranker."""
    collocations = Collocations({"we": 5, "it": 5}, {}, frequency=lambda word: 1e-6)
    doc = Document.plain("a.txt", text)
    start = text.index("mend")
    finding = Finding("SPUN001", "error", start, start + 4, 0.9, "model", "m")
    candidates = [Candidate("fix", 0.5, Source.WORDS), Candidate("repair", 0.5, Source.WORDS)]
    return list(rescored(_judge(collocations, thesaurus, topics), doc, finding, candidates))


def test_ranker_prefers_the_original_whose_entry_offers_the_spun_word_among_fewer():
    few, many = ("mend",), ("restore", "overhaul", "renovate", "mend")
    assert _judged_order(Thesaurus({"fix": {"v": few}, "repair": {"v": many}})) == ["fix", "repair"]
    assert _judged_order(Thesaurus({"fix": {"v": many}, "repair": {"v": few}})) == ["repair", "fix"]


def test_ranker_prefers_the_original_the_document_uses_elsewhere():
    # a spinner swaps some occurrences of a word and leaves others
    same = Thesaurus({"fix": {"v": ("mend",)}, "repair": {"v": ("mend",)}})
    assert _judged_order(same, "The repairs took a week. Then we mend it.") == ["repair", "fix"]
    assert _judged_order(same, "The fixes took a week. Then we mend it.") == ["fix", "repair"]


def test_ranker_prefers_the_original_that_fits_the_story():
    same = Thesaurus({"fix": {"v": ("mend",)}, "repair": {"v": ("mend",)}})
    story = "The garage said the engine was old. Then we mend it."
    garage = _topics({"cars": ["garage", "engine", "repair"], "other": ["fix"]})
    assert _judged_order(same, story, garage) == ["repair", "fix"]
    garage = _topics({"cars": ["garage", "engine", "fix"], "other": ["repair"]})
    assert _judged_order(same, story, garage) == ["fix", "repair"]


def test_topics_read_the_new_words_of_a_candidate_against_the_story():
    topics = _topics({"money": ["bank", "interest", "rate"], "order": ["rank", "army"]})
    story = topics.story(set(content_lemmas("Banks raised the interest on savings.")))
    assert story.lemmas == {"bank", "raise", "interest", "savings"}
    assert topics.fit(story, "rates")[0] == pytest.approx(1.0)  # its lemma, close to the story's words
    assert topics.fit(story, "rank") == (0.0, 0.0, 0.0, 1.0)  # at right angles
    assert topics.fit(story, "the interest") == (0.0, 0.0, 0.0, 0.0)  # no word the story lacks
    assert topics.fit(topics.story({"savings"}), "rate") == (0.0, 0.0, 0.0, 0.0)  # no story word has a vector


def test_ranker_refuses_weights_trained_on_other_features(tmp_path):
    from safetensors.numpy import save_file

    path = tmp_path / "ranker.safetensors"
    save_file({"mean": np.zeros(2, dtype=np.float32)}, str(path), metadata={"ranker": json.dumps({"features": ["left_transition", "channel"]})})
    with pytest.raises(ValueError, match="other features"):
        Ranker.load(path)


def test_channel_aligns_phrases_inflections_and_kept_words():
    channel = Channel(THESAURUS)
    assert channel.alignment("get under way", "open").log_probability == pytest.approx(-0.693, abs=0.01)  # one of two
    assert channel.alignment("atomic", "nuclear").log_probability == 0.0  # the only synonym listed
    assert channel.alignment("sacked", "released").log_probability == channel.alignment("sack", "release").log_probability
    # "of" kept costs nothing, "unfamiliar" for "foreign" one of two: better than "alien" unexplained
    assert channel.alignment("of unfamiliar", "of foreign").log_probability > channel.alignment("of unfamiliar", "of alien").log_probability
    # spinners draw from the first DEPTH synonyms only
    deep = Channel(Thesaurus({"big": {"a": tuple("x" * (i + 1) for i in range(DEPTH)) + ("huge",)}}))
    assert deep.alignment("huge", "big") == (2 * UNEXPLAINED, 2, 0, 0, 0.0)  # neither word explained
    assert deep.alignment("x", "big").swaps == 1 and deep.alignment("x", "big").log_probability > 2 * UNEXPLAINED


def test_shipped_collocations_know_common_news_pairs():
    collocations = shipped_collocations()
    assert collocations.log_probability(tokens("a press conference")) > collocations.log_probability(tokens("a squeeze meeting"))
    assert collocations.continuation("the", "prime", "minister") > 0.5
    assert collocations.continuation("the", "prime", "clergyman") == 0.0


def small_sources():
    collocations = Collocations({"a": 20, "press": 6, "conference": 6}, {"a press": 5, "press conference": 5}, triples={"a press conference": 4})
    # words wordfreq knows besides those of the tables (the shipped index takes all of them)
    return THESAURUS, LEXICON, collocations, ["squeeze", "armies"]


def test_index_serves_what_the_tables_in_memory_serve(tmp_path):
    index = open_index(tmp_path / "index.sqlite", small_sources)
    assert (tmp_path / "index.sqlite").is_file()
    thesaurus, lexicon, collocations, _ = small_sources()
    in_memory = LexiconCandidates(lexicon, thesaurus), WordCandidates(reverse_thesaurus(thesaurus))
    from_index = LexiconCandidates(lexicon, Thesaurus(index.thesaurus), index.stand_ins), WordCandidates(index.originals, index.frequency)
    for phrase in ("atomic outfitted", "top dog official", "squeeze meeting", "Sacked"):
        for memory, indexed in zip(in_memory, from_index):
            assert [(c.text, c.prior) for c in indexed.candidates(phrase)] == [(c.text, c.prior) for c in memory.candidates(phrase)]
    indexed = Collocations(index.words, index.pairs, index.total_words, index.frequency, index.triples)
    for text in ("a press conference", "a squeeze meeting"):
        assert indexed.log_probability(tokens(text)) == pytest.approx(collocations.log_probability(tokens(text)))
    assert indexed.continuation("a", "press", "conference") == collocations.continuation("a", "press", "conference") == pytest.approx(3.5 / 5)


def test_lemminflect_reads_its_tables_from_the_index_with_the_same_results(tmp_path):
    import lemminflect
    from lemminflect.core.Inflections import Inflections
    from lemminflect.core.Lemmatizer import Lemmatizer

    from detector.inflection import read_lemminflect_tables_from

    index = open_index(tmp_path / "index.sqlite", small_sources)
    words = ["clergymen", "ran", "armies", "better", "meeting", "Aachen", "outfitted", "zzzz"]
    expected = [(lemminflect.getAllLemmas(w), lemminflect.getAllInflections(w)) for w in words]
    saved = Lemmatizer().lemma_dict, Inflections().infl_dict  # loaded from lemminflect's files by now
    try:
        read_lemminflect_tables_from(index.lemmas, index.inflections)
        assert Lemmatizer().lemma_dict is index.lemmas
        assert [(lemminflect.getAllLemmas(w), lemminflect.getAllInflections(w)) for w in words] == expected
    finally:
        Lemmatizer().lemma_dict, Inflections().infl_dict = saved


def test_index_answers_from_several_threads_at_once(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    for index in (open_index(tmp_path / "index.sqlite", small_sources), open_index(tmp_path / "a-file" / "x" / "index.sqlite", small_sources)):
        words = ["squeeze", "armies", "press", "conference", "nothing"] * 40

        def look(word):
            return index.frequency(word), sorted(index.originals.get(word, ())), index.words.get(word)

        expected = [look(w) for w in words[:5]] * 40
        index.words._row.cache_clear()  # the threads read the file, not this thread's cache
        index._frequencies._row.cache_clear()
        index.originals._row.cache_clear()
        with ThreadPoolExecutor(8) as pool:
            assert list(pool.map(look, words)) == expected


def test_compound_frequencies_follow_wordfreq():
    from wordfreq import word_frequency

    for compound in ("face-lifts", "well-known", "state-owned", "e-mail", "zzzq-known"):
        parts = [word_frequency(part, "en") for part in compound.split("-")]
        assert combined_frequency(parts) == pytest.approx(word_frequency(compound, "en"), rel=0.01)


def test_a_damaged_index_is_rebuilt_and_an_unwritable_one_kept_in_memory(tmp_path):
    path = tmp_path / "index.sqlite"
    path.write_bytes(b"not a database" * 100)
    assert "press conference" in texts(WordCandidates(open_index(path, small_sources).originals).candidates("squeeze meeting"))
    assert path.read_bytes().startswith(b"SQLite format 3")
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    index = open_index(blocked / "index.sqlite", small_sources)  # its folder cannot be made
    assert "press conference" in texts(WordCandidates(index.originals).candidates("squeeze meeting"))


def test_word_candidates_keep_rare_originals_that_many_common_rewrites_outscore():
    # thirty common words list both "squeeze" and "meeting": their 900 two-word rewrites
    # outscore a rare original of the whole phrase, or of one word with the other kept
    common = "time people year way day man thing woman life child world school state family student group country problem hand part place case week company system program question work government number".split()
    entries = {head: {"n": ("squeeze", "meeting")} for head in common}
    entries["caucus"] = {"n": ("squeeze meeting",)}
    entries["press"] = {"n": ("squeeze",)}
    proposed = texts(WordCandidates(reverse_thesaurus(Thesaurus(entries))).candidates("squeeze meeting"))
    assert "caucus" in proposed and "press meeting" in proposed


def test_word_candidates_keep_an_edge_word_the_finding_reached_past():
    # the same thirty common words crowd out "election" for "free choice" in "general free
    # choice"; proposed on its own with the edge word kept, it survives
    common = "time people year way day man thing woman life child world school state family student group country problem hand part place case week company system program question work government number".split()
    entries = {head: {"n": ("general", "free", "choice")} for head in common}
    entries["election"] = {"n": ("free choice",)}
    proposed = texts(WordCandidates(reverse_thesaurus(Thesaurus(entries))).candidates("General free choice"))
    assert "General election" in proposed


def test_classifier_judge_puts_a_candidate_it_reads_as_natural_first():
    import re

    from detector.suggest.judges.classifier import ClassifierJudge

    class Model:  # reads "squeeze" as spun wherever it stands
        def word_probabilities(self, texts):
            return [[(m.start(), m.end(), 0.9 if m.group() == "squeeze" else 0.1) for m in re.finditer(r"\w+", t)] for t in texts]

    doc = Document.plain("a.txt", "He spoke at a squeeze meeting on Tuesday.")
    finding = Finding(rule="SPUN001", severity="error", start=14, end=29, score=0.9, source="model", message="")
    candidates = [Candidate("squeeze conference", 0.5, Source.WORDS), Candidate("press conference", 0.3, Source.LEXICON), Candidate("talk", 0.2, Source.WORDS)]
    judged = rescored(ClassifierJudge(Model()), doc, finding, candidates)
    assert list(judged) == ["press conference", "talk", "squeeze conference"]
    assert sum(judged.values()) == pytest.approx(1.0)
    assert [c.prior for c in candidates] == [0.5, 0.3, 0.2]  # what the sources said stays said


def test_word_candidates_find_the_originals_of_an_inflected_phrasal_verb():
    # "take care of" is listed for "process"; spun from "processing" it reads "taking care of"
    entries = {"process": {"v": ("take care of", "handle")}, "follow": {"v": ("take after",)}}
    words = WordCandidates(reverse_thesaurus(Thesaurus(entries)))
    assert "processing" in texts(words.candidates("taking care of"))
    assert "Followed" in texts(words.candidates("Took after"))


def test_word_candidates_inflect_the_originals_of_a_word_that_carries_no_inflection():
    # "music-making" is listed for "repercussion"; a spinner cannot make it plural, so
    # "repercussions" came back as "music-making"
    entries = {"repercussion": {"n": ("music-making",)}, "process": {"v": ("handle",)}}
    words = WordCandidates(reverse_thesaurus(Thesaurus(entries)))
    assert {"repercussion", "repercussions"} <= set(texts(words.candidates("music-making")))
    # a word lemminflect knows carries its own inflection: "handles" restores to "processes" only
    assert texts(words.candidates("handles")) == ["processes"]


def test_word_candidates_guess_the_inflections_a_base_form_or_a_phrase_may_have_lost():
    # a spinner may leave its synonym uninflected ("urinate" for "makes") and a phrase for
    # one word carries none ("let know" for "reports"): the originals come in every
    # inflection, marked as guessed, and carried-over forms stay unmarked
    entries = {"make": {"v": ("urinate",)}, "report": {"v": ("let know",)}}
    words = WordCandidates(reverse_thesaurus(Thesaurus(entries)))
    sources = {c.text: c.source for c in words.candidates("urinate")}
    assert sources["make"] == Source.WORDS
    assert {sources[form] for form in ("makes", "made", "making")} == {Source.GUESSED}
    sources = {c.text: c.source for c in words.candidates("let know")}
    assert sources["report"] == Source.WORDS and sources["reports"] == sources["reported"] == Source.GUESSED
    assert texts(words.candidates("urinated")) == ["made"]  # shown inflection: nothing to guess


def test_word_candidates_give_a_plural_phrase_s_originals_its_plural():
    # "free trade" is listed for "industry"; spun from "industries" it reads "free trades"
    words = WordCandidates(reverse_thesaurus(Thesaurus({"industry": {"n": ("free trade",)}})))
    assert "industries" in texts(words.candidates("free trades"))
    assert "industry" in texts(words.candidates("free trade"))


def test_word_candidates_undo_a_spinner_s_comparative_and_made_up_inflections():
    # "stylish" is listed for "late": spun from "latest" it reads "stylishest", a form
    # lemminflect does not know; "majorer" ("higher") is one its rules lemmatise wrongly
    entries = {"late": {"a": ("stylish",)}, "high": {"a": ("major",)}, "hot": {"a": ("stylish",)}}
    words = WordCandidates(reverse_thesaurus(Thesaurus(entries)))
    assert set(texts(words.candidates("stylishest"))) == {"hottest", "latest"}
    assert texts(words.candidates("Majorer")) == ["Higher"]
    # a known comparative too: "mean" listed for "little" comes back as "meanest"
    words = WordCandidates(reverse_thesaurus(Thesaurus({"little": {"a": ("mean",)}, "bad": {"a": ("mean", "evil")}})))
    assert set(texts(words.candidates("meanest"))) == {"littlest", "worst"}


def test_context_search_keeps_the_swaps_that_fit_their_sentence():
    # twenty-five words commoner than "order" and "debt" list both "house" and "sin": the
    # word search keeps their combinations and loses "order to service debt"; steered by
    # the bigrams around it ("in order", "service debt", "debt payments") the beam keeps it
    from detector.suggest.sources.context_search import ContextSearch

    common = "time people year way day man thing woman life child world school state family student group country problem hand part place case week".split()
    entries = {head: {"n": ("house", "sin")} for head in common}
    entries["order"] = {"n": ("house",)}
    entries["debt"] = {"n": ("sin",)}
    frequency = {**{w: 1e-3 for w in common}, "order": 1e-5, "debt": 1e-5}
    words = WordCandidates(reverse_thesaurus(Thesaurus(entries)), lambda w: frequency.get(w, 1e-6))
    counts = {**{w: 20 for w in [*common, "order", "debt"]}, "in": 50, "to": 80, "service": 20, "payments": 10}
    collocations = Collocations(counts, {"in order": 15, "order to": 15, "to service": 10, "service debt": 12, "debt payments": 8}, frequency=lambda w: 0.0)
    text = "It sold assets in house to service sin payments."
    start = text.index("house")
    end = start + len("house to service sin")
    assert "order to service debt" not in texts(words.candidates(text[start:end]))
    suggester = SpinSuggester([], [words], [], "test", steered=[ContextSearch(words, collocations)])
    proposed = {c.text: c.source for c in suggester.candidates(text, start, end).candidates}
    assert proposed["order to service debt"] == Source.STEERED
    assert "house to service sin" not in proposed  # the phrase itself is no candidate
