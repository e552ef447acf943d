// The unspin page: checks the text through /api/check and marks findings in place.
// Offsets from the server count code points, so the text is handled as an array of
// code points (a JavaScript string counts UTF-16 units).
"use strict";

const textArea = document.getElementById("text");
const marked = document.getElementById("marked");
const statusLine = document.getElementById("status");
const acceptTable = document.getElementById("accept-table");
let findings = [];
let checkedText = "";
let selected = -1;

function codePoints(text) { return Array.from(text); }

async function check() {
  const text = textArea.value;
  statusLine.textContent = "Checking…";
  const response = await fetch("/api/check", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ text, format: document.getElementById("format").value }),
  });
  if (!response.ok) {
    statusLine.textContent = `Check failed: ${response.status} ${await response.text()}`;
    return;
  }
  const report = await response.json();
  const file = report.files[0];
  checkedText = text;
  findings = file.findings;
  selected = -1;
  document.getElementById("score").textContent = `score ${file.score.toFixed(2)} · ${findings.length} finding${findings.length === 1 ? "" : "s"} in ${file.words} words`;
  statusLine.textContent = findings.length ? "Click a mark for suggestions." : "No findings.";
  render();
}

function render() {
  const chars = codePoints(checkedText);
  marked.textContent = "";
  let at = 0;
  findings.forEach((finding, index) => {
    if (finding.start < at) return;  // overlapping spans: the first one is shown
    marked.append(chars.slice(at, finding.start).join(""));
    const mark = document.createElement("mark");
    mark.className = finding.severity + (index === selected ? " selected" : "");
    mark.dataset.index = String(index);
    mark.dataset.rule = finding.rule;
    mark.title = `${finding.rule}: ${finding.message}`;
    mark.textContent = chars.slice(finding.start, finding.end).join("");
    mark.addEventListener("click", () => select(index));
    marked.append(mark);
    at = finding.end;
  });
  marked.append(chars.slice(at).join(""));
  acceptTable.disabled = !findings.some(tableFix);
  if (selected < 0) document.getElementById("detail").hidden = true;
}

function select(index) {
  selected = index;
  const finding = findings[index];
  document.getElementById("detail").hidden = false;
  document.getElementById("detail-rule").textContent = finding.rule;
  document.getElementById("detail-severity").textContent = `${finding.severity} · ${finding.source} · score ${finding.score.toFixed(2)}`;
  document.getElementById("detail-message").textContent = finding.message;
  const list = document.getElementById("suggestions");
  list.textContent = "";
  finding.suggestions.forEach((suggestion) => {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "suggestion";
    button.textContent = `${suggestion.text} (${suggestion.score.toFixed(2)})`;
    button.addEventListener("click", () => accept(index, suggestion.text));
    item.append(button);
    list.append(item);
  });
  render();
}

// Replace one finding's span; later findings move by the change in length.
function replace(index, replacement) {
  const finding = findings[index];
  const chars = codePoints(checkedText);
  const added = codePoints(replacement).length - (finding.end - finding.start);
  checkedText = chars.slice(0, finding.start).join("") + replacement + chars.slice(finding.end).join("");
  findings = findings.filter((_, i) => i !== index).map((other) =>
    other.start >= finding.end ? { ...other, start: other.start + added, end: other.end + added } : other);
}

function accept(index, replacement) {
  replace(index, replacement);
  textArea.value = checkedText;
  selected = -1;
  statusLine.textContent = `Replaced with "${replacement}".`;
  render();
}

function tableFix(finding) {
  return finding.source === "table" && finding.suggestions.length > 0 && finding.suggestions[0].safe;
}

acceptTable.addEventListener("click", () => {
  // From the last to the first, so earlier offsets stay right.
  const chosen = findings.map((f, i) => [f, i]).filter(([f]) => tableFix(f)).reverse();
  for (const [finding, index] of chosen) replace(index, finding.suggestions[0].text);
  textArea.value = checkedText;
  selected = -1;
  statusLine.textContent = `Accepted ${chosen.length} listed-table fix${chosen.length === 1 ? "" : "es"}.`;
  render();
});

document.getElementById("check").addEventListener("click", check);
document.getElementById("sample").addEventListener("click", async () => {
  textArea.value = await (await fetch("/static/sample.txt")).text();
  document.getElementById("format").value = "markdown";
  check();
});
let typing;
textArea.addEventListener("input", () => { clearTimeout(typing); typing = setTimeout(check, 800); });
