"""The catalogue of rule codes: stable ids, names, default severities, summaries and
explanations.

Reporters list it (SARIF's driver rules), `unspin rules` and `unspin rule CODE` print it,
and config's `select` and `disable` (--select, --ignore) take its codes.
"""

from __future__ import annotations

from detector.findings import Rule

SPUN_PHRASE = Rule(
    "SPUN001",
    "spun-phrase",
    "error",
    "Machine-spun phrase: a standard term replaced word by word with thesaurus synonyms.",
    issue_type="style",
)

SPUN_DETAILS = """Article spinners disguise copied text by swapping words for thesaurus synonyms of
the wrong sense, leaving "tortured phrases" no writer would choose: "Unfamiliar
Clergyman" for Foreign Minister, "atomic outfitted" for nuclear-armed, "squeeze meeting"
for press conference. A text with them is likely copied and machine-rewritten, and each
one misstates what the original said.

Found by: the mapping tables (listed spun phrases; source "table"), the fine-tuned span
classifier (source "model") and, unless --fast, a language model reading the text (source
"channel": a word whose thesaurus neighbour reads far better in its place). Each finding
carries ranked suggestions for the original term.

Severity follows the score, a calibrated probability that the phrase is spun; a finding
is reported from the threshold (by default the calibrated one of the language model's
reading, data/channel.json, or the tagger's with --fast; its number is below). A model
finding is an error from 0.8 and a warning below; a channel finding an error from 0.9; a
table entry an error from its score 0.9 (hand entries), a warning below (generated
variants). So --fail-on error fails on the sure ones and --fail-on warning on every
finding.

Fix: safe when the phrase is a hand-made or your own table's entry (its original is
known); otherwise a guess, applied by `unspin fix` only with --unsafe-fixes, since a wrong
guess can change a fact.

Example:
    The Unfamiliar Clergyman spoke at a squeeze meeting.
    → The Foreign Minister spoke at a press conference."""


def all_rules() -> list[Rule]:
    from detector.detectors.quality import QUALITY_RULES

    return [SPUN_PHRASE, *QUALITY_RULES]


def find_rule(code: str) -> Rule | None:
    return next((rule for rule in all_rules() if rule.code == code.strip().upper()), None)


def details(rule: Rule) -> str:
    """What the rule finds, why it matters and how it is fixed: SPUN001's text above, a
    quality rule's module docstring (each rule is one module)."""
    if rule is SPUN_PHRASE:
        return SPUN_DETAILS
    from detector.detectors.quality import RULE_MODULES

    module = next(m for m in RULE_MODULES if m.RULE is rule)
    return (module.__doc__ or "").strip()
