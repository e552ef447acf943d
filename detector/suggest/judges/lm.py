"""SmolLM2-135M as a judge of candidates: a spinner's swap is undone by the candidate
that reads most naturally where the flagged phrase stands, and a cased causal language
model judges that better than word frequency or the span classifier (on 120 single-word
spins of the validation split it put the original first 67 times, word frequency 26).

Optional: it reads through the language-model engine (detector/language_model.py).
Each candidate's score is its share of the probability among the candidates (a softmax)
of the model's log-likelihood of the candidate in context plus PRIOR_WEIGHT times the log
of the share the judges before it gave it; table candidates are left alone. Alone, the
model re-ranks the trained ranker's choices worse: it judges how a candidate reads, the
shares what the ranker knows of the spinner (docs/experiments.md).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from detector.document import Document
from detector.findings import Finding
from detector.language_model import NAME, LanguageModel
from detector.suggest.contracts import Ranked, shares

LEFT_CONTEXT = 100
RIGHT_CONTEXT = 40
PRIOR_WEIGHT = 2.0  # of the log share the judges before gave a candidate, beside the model's log-likelihood


def _words_around(text: str, start: int, end: int) -> tuple[str, str]:
    """Up to LEFT_CONTEXT/RIGHT_CONTEXT characters either side, cut at word boundaries."""
    left = text[max(0, start - LEFT_CONTEXT) : start]
    if start > LEFT_CONTEXT and " " in left:
        left = left[left.index(" ") + 1 :]
    right = text[end : end + RIGHT_CONTEXT]
    if end + RIGHT_CONTEXT < len(text) and " " in right:
        right = right[: right.rindex(" ")]
    return left, right


class LanguageModelJudge:
    name = NAME

    def __init__(self, engine: LanguageModel):
        self.engine = engine

    def rescore(self, doc: Document, pending: Sequence[tuple[Finding, Ranked]]) -> list[Ranked]:
        out = []
        for finding, ranked in pending:
            positions = ranked.judged()
            if not positions:
                out.append(ranked)
                continue
            left, right = _words_around(doc.text, finding.start, finding.end)
            # the space before the phrase belongs to its first token in this tokenizer
            prefix = left.rstrip()
            gap = left[len(prefix) :]
            likelihoods = self.engine.continuation_log_likelihoods(prefix, [gap + ranked.candidates[i].text + right for i in positions])
            judged = shares([ll + PRIOR_WEIGHT * math.log(max(ranked.scores[i], 1e-9)) for ll, i in zip(likelihoods, positions)])
            out.append(ranked.rescored(dict(zip(positions, judged))))
        return out
