import json

import pytest

from detector.training.corpora import bbc_documents, missing_sources, reuters_documents, sentences, training_documents


@pytest.fixture
def corpora(tmp_path):
    for section in ("business", "tech"):
        (tmp_path / "bbc" / section).mkdir(parents=True)
        (tmp_path / "bbc" / section / "001.txt").write_text(f"Title {section}\n\nMr. Smith said rates rose. The U.S. bank agreed.\n")
    (tmp_path / "reuters21578").mkdir()
    records = [
        {"attrs": {"newid": "1"}, "body": "The company said profits rose sharply in the first quarter of the year, analysts said.\n Reuter\n&#3;"},
        {"attrs": {"newid": "2"}, "body": "SHR 1.20 DLRS VS 1.10 DLRS\n    NET 12.3 MLN VS 11.2 MLN\n REUTER"},
        {"attrs": {"newid": "3"}},
    ]
    (tmp_path / "reuters21578" / "reut2-000.json").write_text(json.dumps(records))
    return tmp_path


def test_bbc_tech_is_refused_and_never_read_for_training(corpora):
    with pytest.raises(ValueError, match="evaluation-only"):
        list(bbc_documents(corpora, sections=("tech",)))
    ids = [doc_id for doc_id, _ in training_documents(corpora)]
    assert ids == ["bbc/business/001", "reuters/1"]


def test_reuters_tables_and_signoffs_are_dropped(corpora):
    [(doc_id, text)] = list(reuters_documents(corpora))
    assert doc_id == "reuters/1" and not text.endswith("Reuter") and "&#3;" not in text


def test_sentence_splitter_knows_abbreviations():
    assert sentences("Mr. Smith said rates rose. The U.S. bank agreed.\n\nNew paragraph here.") == [
        "Mr. Smith said rates rose.",
        "The U.S. bank agreed.",
        "New paragraph here.",
    ]


def test_data_build_names_the_missing_corpora_instead_of_building_an_empty_dataset(corpora, run_dev_cli, tmp_path):
    assert missing_sources(corpora) == ["bbc/entertainment/", "bbc/politics/", "bbc/sport/"]
    code, out, err = run_dev_cli("data", "build", "--corpora", str(corpora), "--output", str(tmp_path / "dataset"))
    assert code == 2 and out == ""
    assert err.strip() == f"unspin: error: {corpora}: not the training corpora (bbc/entertainment/, bbc/politics/, bbc/sport/ missing)"
    assert not (tmp_path / "dataset").exists()
