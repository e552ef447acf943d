import pytest

from detector.api import check_text
from detector.inflection import carry_over
from detector.tables import Entry, MappingTable, TableError, load_table


@pytest.fixture
def table():
    return MappingTable(
        [
            Entry("unfamiliar clergyman", ("foreign minister",), "t"),
            Entry("atomic outfitted", ("nuclear-armed",), "t"),
            Entry("in the rouse of", ("in the wake of",), "t"),
            Entry("rouse", ("wake",), "t"),
        ]
    )


def test_match_is_case_insensitive_and_inflection_aware(table):
    text = "Two Unfamiliar Clergymen and an UNFAMILIAR CLERGYMAN met."
    found = [(text[m.start : m.end], m.entry.spun) for m in table.find(text)]
    assert found == [("Unfamiliar Clergymen", "unfamiliar clergyman"), ("UNFAMILIAR CLERGYMAN", "unfamiliar clergyman")]


def test_longest_match_wins_and_words_may_be_split_by_hyphen_or_newline(table):
    text = "In the rouse of\nthe talks, the atomic-outfitted state"
    found = [text[m.start : m.end] for m in table.find(text)]
    assert found == ["In the rouse of", "atomic-outfitted"]


def test_punctuation_breaks_a_phrase(table):
    assert table.find("an unfamiliar. Clergyman") == []


@pytest.mark.parametrize(
    "canonical, spun, expected",
    [
        ("foreign minister", "Unfamiliar Clergymen", "Foreign Ministers"),
        ("foreign minister", "unfamiliar clergyman", "foreign minister"),
        ("foreign minister", "UNFAMILIAR CLERGYMAN", "FOREIGN MINISTER"),
        ("in the wake of", "In the rouse of", "In the wake of"),
        ("press conference", "squeeze meetings", "press conferences"),
        ("living", "worked", "lived"),  # inflected from its verb lemma, not the noun "living"
        ("self-sufficient", "plans", "self-sufficient"),  # not "selves-sufficient"
    ],
)
def test_suggestions_carry_inflection_and_casing(canonical, spun, expected):
    assert carry_over(canonical, spun) == expected


def test_shipped_table_suggests_inflected_title_case():
    result = check_text("Unfamiliar Clergymen arrived.", path="a.txt")
    [finding] = result.findings
    assert (finding.text, finding.suggestions[0].text, finding.source) == ("Unfamiliar Clergymen", "Foreign Ministers", "table")


def test_tsv_errors_name_file_and_line(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("# comment\ngood phrase\tcanonical\nno tab here\n")
    with pytest.raises(TableError, match=r"bad.tsv:3:"):
        load_table(bad)


def test_vale_substitution_import(tmp_path):
    rule = tmp_path / "Spun.yml"
    rule.write_text(
        "extends: substitution\nmessage: Use '%s' instead of '%s'.\nswap:\n"
        "  'unfamiliar clergyman|outside pastor': foreign minister\n"
        "  '(?:foo|bar)baz': regex entries are skipped\n"
        "  squeeze meeting: press conference|news conference\n"
    )
    table = load_table(rule)
    assert table.size == 3
    assert table.lookup("outside pastor").canonical == ("foreign minister",)
    assert table.lookup("squeeze meeting").canonical == ("press conference", "news conference")


def test_vale_without_swap_is_an_error(tmp_path):
    rule = tmp_path / "Other.yml"
    rule.write_text("extends: existence\ntokens: [a]\n")
    with pytest.raises(TableError, match="no 'swap:'"):
        load_table(rule)


def test_pps_csv_import_strips_query_operators(tmp_path):
    export = tmp_path / "pps.csv"
    export.write_text(
        '"Fingerprint - Tortured Phrase","Expected Text","Other"\n'
        '"""counterfeit consciousness"" OR ""fake awareness""","artificial intelligence","x"\n'
        '"""lengthy haul""~2 NOT ""truck""","long-term","x"\n'
        '"""bosom"" AND ""growth""","breast cancer","x"\n'
    )
    table = load_table(export)
    assert table.lookup("fake awareness").canonical == ("artificial intelligence",)
    assert table.lookup("counterfeit consciousness") is not None
    assert table.lookup("lengthy haul").canonical == ("long-term",)
    assert table.size == 3  # the AND query is no phrase and is skipped


def test_pps_csv_needs_its_columns(tmp_path):
    export = tmp_path / "pps.csv"
    export.write_text("a,b\n1,2\n")
    with pytest.raises(TableError, match="Fingerprint - Tortured Phrase"):
        load_table(export)
