// The unspin page: a workspace over /api/check. The findings are marked in the text
// being edited (a copy of it behind the transparent text area carries the marks), listed
// beside it, and each can be accepted, dismissed or allowed.
// Offsets from the server count code points; a JavaScript string counts UTF-16 units,
// so spans are handled on arrays of code points.
"use strict";

const textArea = document.getElementById("text");
const backdrop = document.getElementById("backdrop");
const list = document.getElementById("findings");
const statusLine = document.getElementById("status");
const acceptTable = document.getElementById("accept-table");
const ALLOW_KEY = "unspin-allow";

let text = "";          // the text the findings' offsets refer to (kept in step with edits)
let findings = [];      // as the server reported them, moved along by later edits
let selected = null;    // {rule, text, start, end} of the open finding, kept across re-checks
const dismissed = new Set();  // rule + phrase, hidden until the page is reloaded
let allowed = loadAllowed();
let checking = 0;

function codePoints(value) { return Array.from(value); }
function key(f) { return `${f.rule}\u0000${f.text.toLowerCase()}`; }
function same(a, b) { return a && b && a.rule === b.rule && a.start === b.start && a.end === b.end; }

function loadAllowed() {
  try { return JSON.parse(localStorage.getItem(ALLOW_KEY) || "[]").filter((p) => typeof p === "string"); } catch { return []; }
}

function visible() {
  const allow = new Set(allowed.map((p) => p.toLowerCase()));
  let at = 0;
  return findings.filter((f) => {
    if (dismissed.has(key(f)) || allow.has(f.text.toLowerCase()) || f.start < at) return false;
    at = f.end;  // overlapping spans: the first is shown
    return true;
  });
}

async function check() {
  const sent = textArea.value;
  const ticket = ++checking;
  statusLine.textContent = "Checking…";
  let response;
  try {
    response = await fetch("/api/check", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: sent, format: document.getElementById("format").value }),
    });
  } catch (error) {
    statusLine.textContent = `Check failed: ${error}`;
    return;
  }
  if (ticket !== checking) return;  // a later check is under way
  if (!response.ok) {
    statusLine.textContent = `Check failed: ${response.status} ${await response.text()}`;
    return;
  }
  const file = (await response.json()).files[0];
  if (textArea.value !== sent) return;  // edited meanwhile: the next check answers
  text = sent;
  findings = file.findings;
  // keep the open card: the same rule on the same words, nearest where it was
  if (selected) {
    const candidates = findings.filter((f) => f.rule === selected.rule && f.text === selected.text);
    candidates.sort((a, b) => Math.abs(a.start - selected.start) - Math.abs(b.start - selected.start));
    selected = candidates[0] || null;
  }
  const shown = visible();
  document.getElementById("score").textContent = `${shown.length} in ${file.words} words`;
  statusLine.textContent = shown.length ? "" : "No findings.";
  render();
}

function render() {
  const shown = visible();
  if (selected && !shown.some((f) => same(f, selected))) selected = null;
  // the marked copy of the text
  const chars = codePoints(text);
  backdrop.textContent = "";
  let at = 0;
  for (const f of shown) {
    backdrop.append(chars.slice(at, f.start).join(""));
    const mark = document.createElement("mark");
    mark.className = f.severity + (same(f, selected) ? " selected" : "");
    mark.dataset.rule = f.rule;
    mark.textContent = chars.slice(f.start, f.end).join("");
    backdrop.append(mark);
    at = f.end;
  }
  backdrop.append(chars.slice(at).join("") + "\n");  // a last empty line still has height
  backdrop.scrollTop = textArea.scrollTop;
  // the list
  list.textContent = "";
  shown.forEach((f) => {
    const item = document.createElement("li");
    item.className = same(f, selected) ? "selected" : "";
    item.dataset.rule = f.rule;
    const badge = document.createElement("span");
    badge.className = `badge ${f.severity}`;
    badge.textContent = f.severity;
    const phrase = document.createElement("span");
    phrase.className = "phrase";
    phrase.textContent = f.text;
    item.append(badge, phrase);
    if (f.suggestions.length) {
      const first = document.createElement("span");
      first.className = "first";
      first.textContent = ` → ${f.suggestions[0].text}`;
      item.append(first);
    }
    item.addEventListener("click", (event) => { if (!event.target.closest(".card")) select(f, true); });
    if (same(f, selected)) item.append(card(f));
    list.append(item);
  });
  acceptTable.disabled = !shown.some(tableFix);
  document.getElementById("allow-count").textContent = String(allowed.length);
  document.getElementById("allow-snippet").textContent = allowSnippet();
}

function card(f) {
  const box = document.createElement("div");
  box.className = "card";
  const about = document.createElement("p");
  // a spin finding's score is a calibrated probability, worth reading; a quality rule's is not
  about.textContent = `${f.rule} · ${f.message}` + (f.rule.startsWith("SPUN") ? ` · ${Math.round(f.score * 100)}% likely spun` : "");
  const actions = document.createElement("div");
  actions.className = "actions";
  f.suggestions.forEach((s) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "suggestion";
    button.textContent = s.text;
    if (s.safe) {
      const tag = document.createElement("span");
      tag.className = "safe";
      tag.textContent = "listed";
      button.append(tag);
    }
    button.addEventListener("click", () => accept(f, s.text));
    actions.append(button);
  });
  actions.append(action("Dismiss", "dismiss", () => dismiss(f)), action("Allow phrase", "allow", () => allow(f)));
  box.append(about, actions);
  return box;
}

function action(label, name, run) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = name;
  button.textContent = label;
  button.addEventListener("click", run);
  return button;
}

// UTF-16 offset of a code-point offset in `value`, and back.
function units(value, points) { return codePoints(value).slice(0, points).join("").length; }
function points(value, unitOffset) { return codePoints(value.slice(0, unitOffset)).length; }

function select(f, jump) {
  selected = f ? { rule: f.rule, text: f.text, start: f.start, end: f.end } : null;
  render();
  if (!f) return;
  const item = list.querySelector("li.selected");
  if (item) item.scrollIntoView({ block: "nearest" });
  if (jump) {
    const mark = backdrop.querySelector("mark.selected");
    if (mark) textArea.scrollTop = Math.max(0, mark.offsetTop - textArea.clientHeight / 3);
    backdrop.scrollTop = textArea.scrollTop;
    textArea.setSelectionRange(units(text, f.start), units(text, f.end));
  }
}

function selectedIndex() { return visible().findIndex((f) => same(f, selected)); }

// Move the findings along an edit: those before it stay, those after it shift, those it
// touches go (the next check reports them again if they still hold).
function follow(before, after) {
  const a = codePoints(before), b = codePoints(after);
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
  const oldEnd = a.length - suffix, moved = b.length - a.length;
  findings = findings.filter((f) => f.end <= prefix || f.start >= oldEnd).map((f) => f.start >= oldEnd ? { ...f, start: f.start + moved, end: f.end + moved } : f);
  text = after;
}

function replaceSpan(f, replacement) {
  const chars = codePoints(textArea.value);
  const updated = chars.slice(0, f.start).join("") + replacement + chars.slice(f.end).join("");
  follow(textArea.value, updated);
  textArea.value = updated;
}

function accept(f, replacement) {
  const index = selectedIndex();
  replaceSpan(f, replacement);
  statusLine.textContent = `Replaced with "${replacement}".`;
  afterAction(index);
  recheckSoon();
}

function dismiss(f) {
  const index = selectedIndex();
  dismissed.add(key(f));
  statusLine.textContent = `Dismissed "${f.text}".`;
  afterAction(index);
}

function allow(f) {
  const index = selectedIndex();
  if (!allowed.some((p) => p.toLowerCase() === f.text.toLowerCase())) allowed.push(f.text);
  localStorage.setItem(ALLOW_KEY, JSON.stringify(allowed));
  statusLine.textContent = `"${f.text}" is on the allow-list.`;
  afterAction(index);
}

// After a finding is handled, the next one (in the list's order) opens.
function afterAction(index) {
  selected = null;
  const shown = visible();
  const next = shown[Math.min(Math.max(index, 0), shown.length - 1)];
  select(next || null, false);
}

function allowSnippet() {
  return `[tool.unspin]  # or, in unspin.toml, without this line\nallow = [${allowed.map((p) => JSON.stringify(p)).join(", ")}]\n`;
}

function tableFix(f) {
  return f.source === "table" && f.suggestions.length > 0 && f.suggestions[0].safe;
}

acceptTable.addEventListener("click", () => {
  // From the last to the first, so earlier offsets stay right.
  const chosen = visible().filter(tableFix).reverse();
  for (const f of chosen) replaceSpan(f, f.suggestions[0].text);
  selected = null;
  statusLine.textContent = `Accepted ${chosen.length} listed fix${chosen.length === 1 ? "" : "es"}.`;
  render();
  recheckSoon();
});

list.addEventListener("keydown", (event) => {
  const shown = visible();
  if (!shown.length) return;
  const index = selectedIndex();
  const f = shown[index];
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    const step = event.key === "ArrowDown" ? 1 : -1;
    select(shown[Math.min(shown.length - 1, Math.max(0, index < 0 ? 0 : index + step))], true);
  } else if (event.key === "Enter" && f && f.suggestions.length) {
    accept(f, f.suggestions[0].text);
  } else if ((event.key === "d" || event.key === "Delete") && f) {
    dismiss(f);
  } else if (event.key === "a" && f) {
    allow(f);
  } else {
    return;
  }
  event.preventDefault();
});

// A click or caret move inside a marked span opens its finding.
function caretMoved() {
  if (textArea.value !== text) return;
  const at = points(text, textArea.selectionStart);
  const hit = visible().find((f) => f.start <= at && at < f.end);
  if (hit && !same(hit, selected)) select(hit, false);
}
textArea.addEventListener("click", caretMoved);
textArea.addEventListener("keyup", (event) => { if (event.key.startsWith("Arrow")) caretMoved(); });
textArea.addEventListener("scroll", () => { backdrop.scrollTop = textArea.scrollTop; });

let typing;
function recheckSoon() { clearTimeout(typing); typing = setTimeout(check, 800); }
textArea.addEventListener("input", () => {
  follow(text, textArea.value);
  render();
  recheckSoon();
});

document.getElementById("check").addEventListener("click", check);
document.getElementById("format").addEventListener("change", check);
document.getElementById("sample").addEventListener("click", async () => {
  textArea.value = await (await fetch("/static/sample.txt")).text();
  follow(text, textArea.value);
  document.getElementById("format").value = "markdown";
  check();
});
document.getElementById("allow-copy").addEventListener("click", () => navigator.clipboard.writeText(allowSnippet()));
document.getElementById("allow-clear").addEventListener("click", () => {
  allowed = [];
  localStorage.removeItem(ALLOW_KEY);
  render();
});
render();
