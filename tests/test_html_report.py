"""`unspin check --format html`: one self-contained page, read back with an HTML parser."""

import json
from html.parser import HTMLParser

import pytest


class Page(HTMLParser):
    """Collects, per file section, the text of its <pre>, its <mark>s and its table rows,
    and every attribute that could load something from elsewhere."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.sections: list[dict] = []
        self.external: list[str] = []
        self.tags: list[str] = []
        self.stack: list[str] = []
        self.summary = ""
        self._in_summary = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        for name in ("src", "href"):
            if name in attrs and not attrs[name].startswith("#"):
                self.external.append(attrs[name])
        if tag == "section":
            self.sections.append({"id": attrs["id"], "title": "", "pre": "", "marks": [], "rows": []})
        elif tag == "mark":
            self.sections[-1]["marks"].append({"text": "", "class": attrs["class"], "title": attrs["title"]})
        elif tag == "tr" and self.sections:
            self.sections[-1]["rows"].append([])
        elif tag in ("td",) and self.sections:
            self.sections[-1]["rows"][-1].append("")
        if tag == "p" and attrs.get("id") == "summary":
            self._in_summary = True
        if tag not in ("br", "meta"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
        if tag == "p":
            self._in_summary = False

    def handle_data(self, data):
        if self._in_summary:
            self.summary += data
        if not self.sections or "section" not in self.stack:
            return
        section = self.sections[-1]
        if "h2" in self.stack:
            section["title"] += data
        if "pre" in self.stack:
            section["pre"] += data
            if "mark" in self.stack:
                section["marks"][-1]["text"] += data
        if "td" in self.stack:
            section["rows"][-1][-1] += data


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def test_report_shows_each_file_text_with_its_findings_marked(run_cli, articles):
    (articles / "trap.txt").write_text("<script>alert(1)</script> & the squeeze meeting.\n", encoding="utf-8")
    (articles / "bad.txt").write_bytes(b"\xff\xfe\x00broken")
    code, out, _ = run_cli("check", "--format", "html", "--encoding", "utf-8", str(articles))
    _, json_out, _ = run_cli("check", "--format", "json", "--encoding", "utf-8", str(articles))
    assert code == 2  # bad.txt is not UTF-8: reported, the others still checked
    report = json.loads(json_out)
    page = parse(out)

    assert "script" not in page.tags and page.external == []
    by_path = {s["title"]: s for s in page.sections}
    expected = {f["path"]: f for f in report["files"] if f["findings"] or f["error"]}
    assert set(by_path) == set(expected)
    for path, file in expected.items():
        section = by_path[path]
        if file["error"]:
            assert section["pre"] == "" and section["marks"] == []
            continue
        text = open(path, encoding="utf-8").read()
        assert section["pre"] == text  # every character, once, unescaped by the parser
        assert [m["text"] for m in section["marks"]] == [f["text"] for f in sorted(file["findings"], key=lambda f: (f["start"], -f["end"]))]
        rows = [r for r in section["rows"] if r]
        assert len(rows) == len(file["findings"])
        for row, finding in zip(rows, file["findings"]):
            assert row[0] == f"{finding['line']}:{finding['column']}" and row[1] == finding["rule"] and row[3] == finding["text"]
            if finding["suggestions"]:
                assert row[4].startswith(finding["suggestions"][0]["text"])
    trap = by_path[str(articles / "trap.txt")]
    assert trap["pre"].startswith("<script>alert(1)</script> & ")
    assert trap["marks"][0]["text"] == "squeeze meeting" and trap["marks"][0]["class"] == "error"
    assert "Press conference".lower() in trap["marks"][0]["title"].lower()
    summary = report["summary"]
    assert page.summary.startswith(f"{summary['findings']} findings")
    assert f"{summary['errors']} not checked" in page.summary


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_report_has_the_text_whichever_way_files_are_checked(run_cli, articles, jobs):
    code, out, _ = run_cli("check", "--format", "html", "--no-cache", "--jobs", jobs, str(articles))
    _, json_out, _ = run_cli("check", "--format", "json", "--no-cache", str(articles / "spun.md"))
    [expected] = json.loads(json_out)["files"]
    spun = {s["title"]: s for s in parse(out).sections}[str(articles / "spun.md")]
    assert spun["pre"] == (articles / "spun.md").read_text(encoding="utf-8")
    assert [m["text"] for m in spun["marks"]] == [f["text"] for f in expected["findings"]] != []


def test_report_of_stdin(run_cli):
    code, out, _ = run_cli("check", "--format", "html", "--stdin-filename", "a.txt", "-", stdin=b"They held a squeeze meeting.\n")
    [section] = parse(out).sections
    assert section["title"] == "a.txt" and section["pre"] == "They held a squeeze meeting.\n"
    assert [m["text"] for m in section["marks"]] == ["squeeze meeting"]
