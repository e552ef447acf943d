"""`unspin serve` started for real and spoken to over HTTP: httpx, LanguageTool's own
Python client, and Chromium driving the web page."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("starlette")
uvicorn = pytest.importorskip("uvicorn")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from detector.config import Config  # noqa: E402
from detector.pipeline import FileResult  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = (ROOT / "data" / "samples" / "article.md").read_text(encoding="utf-8")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, process=None, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited: {process.stderr.read()}")
        try:
            httpx.get(f"{url}/v2/languages", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


def serving(cache: Path, *options: str):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "detector", "serve", "--port", str(port), "--lm-suggestions", "off", "--fast", *options],
        env={**os.environ, "UNSPIN_CACHE_DIR": str(cache)}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, process, seconds=300)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`unspin serve` in its own process (tables and quality rules: no model to wait for)."""
    yield from serving(tmp_path_factory.mktemp("serve-cache"), "--no-model")


@pytest.fixture(scope="module")
def model_server(shared_cache):
    """`unspin serve` with the shipped model, as users run it after the first time: its
    suggestion index already built in the cache (the session's, kept for the other tests)."""
    build = "from detector.suggest.assembly import suggestion_index; suggestion_index()"
    subprocess.run([sys.executable, "-c", build], env={**os.environ, "UNSPIN_CACHE_DIR": str(shared_cache)}, check=True, timeout=300)
    yield from serving(shared_cache)


def utf16_slice(text: str, offset: int, length: int) -> str:
    units = text.encode("utf-16-le")
    return units[2 * offset : 2 * (offset + length)].decode("utf-16-le")


def test_languagetool_offsets_count_utf16_units(server):
    text = "Emoji 😀 and 𝔘 first: the Unfamiliar Clergyman spoke at a squeeze meeting."
    body = httpx.post(f"{server}/v2/check", data={"text": text, "language": "en-US"}).json()
    assert body["language"]["code"] == "en-US"
    found = {utf16_slice(text, m["offset"], m["length"]): m for m in body["matches"]}
    assert set(found) == {"Unfamiliar Clergyman", "squeeze meeting"}
    match = found["squeeze meeting"]
    assert match["offset"] == text.index("squeeze") + 2  # two characters past U+FFFF before it
    assert match["replacements"] == [{"value": "press conference"}]
    assert match["rule"]["id"] == "SPUN001" and match["rule"]["category"] == {"id": "UNSPIN_SPUN", "name": "Spun phrasing"}
    assert match["rule"]["issueType"] == "style" and match["type"] == {"typeName": "Other"}
    context = match["context"]
    assert utf16_slice(context["text"], context["offset"], context["length"]) == "squeeze meeting"
    assert match["sentence"] == "Emoji 😀 and 𝔘 first: the Unfamiliar Clergyman spoke at a squeeze meeting."


def test_annotated_data_offsets_count_markup_and_never_cross_it(server):
    annotation = [
        {"markup": "<p>"}, {"text": "The squeeze meeting ended. "}, {"markup": "<code>x</code>", "interpretAs": " "},
        {"text": "A "}, {"markup": "<a href='https://example.org/polite-war'>"}, {"text": "polite"}, {"markup": "</a>"},
        {"text": " war and the the end."}, {"markup": "</p>", "interpretAs": "\n\n"},
    ]
    original = "".join(part.get("text", part.get("markup")) for part in annotation)
    body = httpx.post(f"{server}/v2/check", data={"data": json.dumps({"annotation": annotation}), "language": "en"}).json()
    spans = [original[m["offset"] : m["offset"] + m["length"]] for m in body["matches"]]
    assert "squeeze meeting" in spans and "the the" in spans
    # "polite war" is split by a link: the match stays inside the link's text.
    assert "polite" in spans
    assert not any("<" in span or ">" in span for span in spans)


def test_rule_selection_and_bad_requests(server):
    text = "The squeeze meeting and the the end."
    rules = lambda **extra: sorted(m["rule"]["id"] for m in httpx.post(f"{server}/v2/check", data={"text": text, "language": "en-GB", **extra}).json()["matches"])  # noqa: E731
    assert rules() == ["QUAL008", "SPUN001"]
    assert rules(disabledRules="SPUN001") == ["QUAL008"]
    assert rules(enabledRules="SPUN001", enabledOnly="true") == ["SPUN001"]
    assert httpx.post(f"{server}/v2/check", data={"text": text, "language": "de-DE"}).status_code == 400
    assert httpx.post(f"{server}/v2/check", data={"language": "en"}).status_code == 400
    assert httpx.post(f"{server}/v2/check", data={"text": text}).status_code == 400
    assert httpx.post(f"{server}/v2/check", data={"data": "{not json", "language": "en"}).status_code == 400
    big = httpx.post(f"{server}/v2/check", data={"text": "word " * 250_000, "language": "en"})
    assert big.status_code == 413
    assert httpx.get(f"{server}/static/../../pyproject.toml").status_code == 404
    assert httpx.get(f"{server}/static/index.html").status_code == 404


def test_hostile_bodies_get_400_never_500(server):
    deep = "[" * 100_000 + "]" * 100_000
    answers = {
        "deep JSON body": httpx.post(f"{server}/api/check", content='{"text": ' + deep + "}", headers={"content-type": "application/json"}),
        "deep data": httpx.post(f"{server}/v2/check", data={"data": '{"annotation": ' + deep + "}", "language": "en"}),
        "lone surrogate": httpx.post(f"{server}/api/check", content='{"text": "a \\ud800 b"}', headers={"content-type": "application/json"}),
        "multipart": httpx.post(f"{server}/v2/check", files={"text": (None, "The squeeze meeting.")}, data={"language": "en"}),
    }
    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(answers, 400)
    assert "multipart bodies are not supported" in answers["multipart"].text
    cr_only = httpx.post(f"{server}/api/check", json={"text": "a\rThe squeeze meeting\rended.", "format": "markdown"})
    assert cr_only.status_code == 200 and [f["text"] for f in cr_only.json()["files"][0]["findings"]] == ["squeeze meeting"]


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.floats(allow_nan=False) | st.text(max_size=40), lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.binary(max_size=300), JSON_VALUES.map(lambda v: json.dumps(v).encode()), st.dictionaries(st.sampled_from(["text", "format", "path", "data", "language", "disabledRules"]), JSON_VALUES, max_size=4).map(lambda v: json.dumps(v).encode())),
       st.sampled_from(["/api/check", "/v2/check"]), st.sampled_from(["application/json", "application/x-www-form-urlencoded", "text/plain", "multipart/form-data"]))
def test_no_body_gets_a_500(server, body, path, kind):
    assert httpx.post(f"{server}{path}", content=body, headers={"content-type": kind}, timeout=60).status_code < 500


def test_api_check_matches_the_check_command(server, tmp_path, run_cli):
    article = tmp_path / "article.md"
    article.write_text(SAMPLE, encoding="utf-8")
    body = httpx.post(f"{server}/api/check", json={"text": SAMPLE, "format": "markdown", "path": str(article)}).json()
    _, stdout, _ = run_cli("check", "--format", "json", "--no-model", "--lm-suggestions", "off", "--no-cache", str(article))
    assert body["version"] == 1
    assert body["files"] == json.loads(stdout)["files"]
    assert len(body["files"][0]["findings"]) >= 7


@pytest.mark.parametrize("which", ["server", "model_server"])
def test_concurrent_requests_get_the_same_answer_as_one_alone(which, request):
    from concurrent.futures import ThreadPoolExecutor

    server = request.getfixturevalue(which)

    def check(_):
        response = httpx.post(f"{server}/v2/check", data={"text": SAMPLE, "language": "en-US"}, timeout=60)
        return response.status_code, response.json()["matches"] if response.status_code == 200 else response.text

    # all at once first, while the look-ups are not yet cached in the server
    with ThreadPoolExecutor(8) as pool:  # the server's default: 2 checking, 8 waiting
        answers = list(pool.map(check, range(8)))
    alone = check(0)
    assert alone[0] == 200 and alone[1]
    assert answers == [alone] * 8


def test_language_tool_python_reads_the_matches(server):
    language_tool_python = pytest.importorskip("language_tool_python")
    tool = language_tool_python.LanguageTool("en-US", remote_server=server)
    text = "Café 😀 news: " + SAMPLE
    matches = tool.check(text)
    # The client maps LanguageTool's UTF-16 offsets back to Python's code points.
    spans = {text[m.offset : m.offset + m.error_length]: m for m in matches}
    for phrase, term in [("Unfamiliar Clergyman", "Foreign Minister"), ("squeeze meeting", "press conference"), ("polite war", "civil war"), ("boss official", "chief executive")]:
        assert spans[phrase].replacements[0] == term
        assert spans[phrase].rule_id == "SPUN001" and spans[phrase].category == "UNSPIN_SPUN"
    assert language_tool_python.utils.correct(text, [spans["squeeze meeting"]]).count("press conference") == 2
    tool.close()


def test_serving_beyond_loopback_needs_a_flag(run_cli):
    code, _, stderr = run_cli("serve", "--host", "0.0.0.0", "--no-model")
    assert code == 2 and "--allow-remote" in stderr


class HeldPipeline:
    """A pipeline whose checks wait until the test lets them go."""

    def __init__(self, gate: threading.Event):
        self.gate = gate

    def check(self, docs):
        self.gate.wait(30)
        return [FileResult(path=doc.path, words=1) for doc in docs]


@pytest.fixture
def held_server():
    from detector.server.app import Limits, create_app

    gate = threading.Event()
    app = create_app(Config(model=False), Limits(workers=1, queue=0, timeout=2.0), build=lambda config, threads: (HeldPipeline(gate), []))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    wait_until_up(url)
    yield url, gate
    gate.set()
    server.should_exit = True
    thread.join(10)


def test_a_held_check_times_out_and_others_get_503(held_server):
    url, gate = held_server
    first = {}
    slow = threading.Thread(target=lambda: first.update(response=httpx.post(f"{url}/v2/check", data={"text": "a", "language": "en"}, timeout=30)))
    slow.start()
    time.sleep(0.5)
    busy = httpx.post(f"{url}/v2/check", data={"text": "b", "language": "en"})
    assert busy.status_code == 503 and busy.headers["retry-after"] == "1"
    slow.join()
    assert first["response"].status_code == 504
    gate.set()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        again = httpx.post(f"{url}/v2/check", data={"text": "c", "language": "en"})
        if again.status_code == 200:
            break
        time.sleep(0.2)
    assert again.status_code == 200 and again.json()["matches"] == []


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.fixture
def browser():
    if not (CHROMIUM and CHROMEDRIVER):
        if os.environ.get("UNSPIN_REQUIRE_BROWSER"):
            pytest.fail("Chromium and ChromeDriver are required here (.ci/run installs them)")
        pytest.skip("Chromium and ChromeDriver are not installed (apt-get install chromium chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1400,1000"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    yield driver
    driver.quit()


def test_the_page_is_a_workspace_marks_list_accept_dismiss_allow(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    artifacts = Path(os.environ.get("UNSPIN_ARTIFACTS", ROOT / ".ci-artifacts"))
    artifacts.mkdir(parents=True, exist_ok=True)
    wait = WebDriverWait(browser, 30)

    # read and clicked through the DOM in one step each: the page re-renders after every
    # check, so element handles kept across steps go stale
    def marks():
        return browser.execute_script("return [...document.querySelectorAll('#backdrop mark')].map((m) => m.textContent)")

    def items():
        return browser.execute_script("return [...document.querySelectorAll('#findings li .phrase')].map((p) => p.textContent)")

    def opened():
        return browser.execute_script("return [...document.querySelectorAll('#findings li.selected .phrase')].map((p) => p.textContent)")

    def click(phrase, inside=""):  # a list entry, or a button of its open card
        found = browser.execute_script(
            "const li = [...document.querySelectorAll('#findings li')].find((l) => l.querySelector('.phrase').textContent === arguments[0]);"
            "const target = li && (arguments[1] ? li.querySelector(arguments[1]) : li); if (target) target.click(); return !!target",
            phrase, inside,
        )
        assert found, (phrase, inside)

    def text():
        return browser.find_element(By.ID, "text").get_property("value")

    def recheck():  # the page's own check, awaited
        browser.execute_async_script("check().then(arguments[0])")

    browser.get(server + "/")
    browser.find_element(By.ID, "sample").click()
    wait.until(lambda d: len(marks()) >= 7)
    # the marks sit in the text itself, one list entry each, coloured by severity
    assert {"Unfamiliar Clergyman", "squeeze meeting", "polite war", "lengthy haul", "boss official"} <= set(marks())
    assert sorted(items()) == sorted(marks())
    assert {b.get_attribute("class") for b in browser.find_elements(By.CSS_SELECTOR, "#findings .badge")} <= {"badge error", "badge warning", "badge info"}
    browser.save_screenshot(str(artifacts / "page-wide.png"))

    # a list entry opens its card and selects its words in the text
    click("squeeze meeting")
    assert opened() == ["squeeze meeting"]
    chosen = browser.execute_script("const t = document.getElementById('text'); return t.value.slice(t.selectionStart, t.selectionEnd)")
    assert chosen == "squeeze meeting"
    assert "0.00" not in browser.find_element(By.CSS_SELECTOR, "#findings li.selected .card").text
    click("squeeze meeting", ".suggestion")
    assert "told a press conference on Tuesday" in text() and "squeeze meeting" not in marks()
    assert "polite war" in marks()  # later marks moved with the edit
    # a re-check keeps the open card
    click("polite war")
    recheck()
    assert opened() == ["polite war"] and "squeeze meeting" not in marks()

    # dismiss: gone from the text and the list
    click("polite war", ".dismiss")
    assert "polite war" not in marks() and "polite war" not in items()
    # keyboard: allow a phrase, accept a first suggestion
    click("lengthy haul")
    browser.find_element(By.ID, "findings").send_keys("a")
    assert "lengthy haul" not in marks()
    assert 'allow = ["lengthy haul"]' in browser.find_element(By.ID, "allow-snippet").get_attribute("textContent")
    click("boss official")
    browser.find_element(By.ID, "findings").send_keys(Keys.ENTER)
    assert "Its chief executive, speaking" in text()
    recheck()
    assert "polite war" not in marks() and "lengthy haul" not in marks()
    browser.find_element(By.ID, "accept-table").click()
    assert text() == SAMPLE.replace("squeeze meeting", "press conference").replace("Unfamiliar Clergyman", "Foreign Minister").replace(
        "in the rouse of", "in the wake of").replace("intrigue rates", "interest rates").replace("boss official", "chief executive")

    # a narrow window: the text and the first findings both in the first screen; the
    # allow-list kept in the browser
    browser.set_window_size(420, 860)
    browser.get(server + "/")
    browser.find_element(By.ID, "sample").click()
    wait.until(lambda d: len(marks()) >= 6)
    assert "lengthy haul" not in marks()
    height = browser.execute_script("return window.innerHeight")
    first = browser.execute_script("return document.querySelector('#findings li').getBoundingClientRect().bottom")
    editor = browser.execute_script("return document.getElementById('text').getBoundingClientRect()")
    assert first <= height and editor["height"] >= 200 and editor["width"] <= 420
    browser.save_screenshot(str(artifacts / "page-narrow.png"))


def test_language_auto_names_english_it_detected_and_refuses_other_languages():
    from detector.server import languagetool as lt

    english = lt.language("auto", "The Unfamiliar Clergyman told a squeeze meeting on Tuesday that talks would resume.")
    assert english["code"] == "en-US" and 0.8 <= english["detectedLanguage"]["confidence"] <= 1.0
    for foreign in ("Der Hund ist sehr groß und die Katze schläft auf dem Sofa.", "Le chien est très grand et le chat dort sur le canapé."):
        with pytest.raises(lt.RequestError, match="does not read as English"):
            lt.language("auto", foreign)


def test_every_rule_names_its_languagetool_issue_type():
    from detector.rules import all_rules

    its = {"addition", "characters", "duplication", "formatting", "grammar", "inconsistency", "inconsistententities", "internationalization",
           "legal", "length", "localespecificcontent", "localeviolation", "markup", "misspelling", "mistranslation", "non-conformance",
           "numbers", "omission", "other", "patternproblem", "register", "style", "terminology", "typographical", "uncategorized", "untranslated", "whitespace"}
    assert {rule.code: rule.issue_type for rule in all_rules() if rule.issue_type not in its - {"uncategorized"}} == {}
