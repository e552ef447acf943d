"""SPUN001 from channel evidence: a word whose thesaurus neighbour reads far better in its place.

A spinner swaps a word for a synonym of the wrong sense ("premium rates" for "interest
rates"); whatever spinner made it, the original then reads much better there than the
swap. For each content word w this detector asks a general language model (SmolLM2-135M,
the `lm` extra) for the gain of its best candidate c: log P(text with c) - log P(text
with w), over c and the words after it. Candidates are the words two thesaurus steps from
w, in w's inflection and casing, with a prior learnt from real substitutions
(suggest/sources/substitutions.py); adjacent pairs of them are tried jointly ("resistance
pioneer" for "opposition leader": neither word alone need read better).

It is a cascade (the language model reads through detector/language_model.py): one pass
over each window of text gives the next-token distribution at every word, which scores
the written word's and every candidate's first token for free. A word gets candidates only
where its first token was at most SURPRISE nats likely (the model did not expect it);
candidates are ranked by their first-token gain plus PRIOR_WEIGHT times their prior
log-odds, and only the words whose best candidate ranks SUSPECT there, or that the span
tagger suspects (`focus`), are rescored over their right context from the window's cached
prefix. A gain becomes a probability by a logistic fit over it and the candidate's gain
under a general trigram model (ngram.py), among other features (data/channel.json, made
by scripts/fit_channel.py from real tortured phrases of the training pairs planted in
training news, against clean validation-split news), whose threshold is the default one.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from importlib import resources

from detector.document import Document
from detector.findings import CHANNEL_SOURCE, Finding, Suggestion
from detector.rules import SPUN_PHRASE
from detector.words import FUNCTION_WORDS, HYPHENATED_WORD, wordfreq_frequency, zipf

NAME = CHANNEL_SOURCE
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'“‘(]?[A-Z0-9])|\n\s*\n")
WINDOW_TOKENS = 160
CANDIDATES = 200  # per word, the likeliest by the substitution prior, before the language model prunes them
KEPT = 4  # per word, rescored over the right context
PAIRED = 3  # per word of an adjacent pair, combined jointly
RIGHT_CHARACTERS = 30  # of text after the word, in every rescored continuation
# The cascade's screens, from the first pass (chosen on pairs_train phrases planted in
# training news, docs/experiments.md): a word gets candidates only where its first token
# is at most SURPRISE nats likely from the left (the model did not expect it); a
# candidate's rank is its first token's gain from the left (nats) plus PRIOR_WEIGHT times
# its prior log-odds; a word is rescored where its best candidate ranks at least SUSPECT,
# a pair where one of its words is.
SURPRISE = -6.0
PRIOR_WEIGHT = 1.0
SUSPECT = 2.5
MIN_LETTERS = 3
# Calibrated probability from which a channel finding is an error (rules.SPUN_DETAILS).
ERROR_SCORE = 0.9


FEATURES = ("gain", "left", "prior", "pair", "word_zipf", "candidate_zipf", "surprise", "ngram")


@dataclass
class Calibration:
    """P(spun) = 1 / (1 + exp(-(weights · features + intercept))), over FEATURES; the
    threshold is where a finding starts in a check whose --threshold is not given."""

    weights: dict[str, float]
    intercept: float
    threshold: float = 0.8

    def probability(self, features: dict[str, float]) -> float:
        z = self.intercept + sum(self.weights[name] * features[name] for name in FEATURES)
        return 1 / (1 + math.exp(-max(-50.0, min(50.0, z))))

    @property
    def version(self) -> str:
        return ",".join(f"{self.weights[n]:.4f}" for n in FEATURES) + f",{self.intercept:.4f}"

    @classmethod
    def shipped(cls) -> "Calibration":
        data = json.loads((resources.files("detector") / "data" / "channel.json").read_text(encoding="utf-8"))
        return cls(data["weights"], data["intercept"], data["threshold"])


@dataclass
class Gain:
    start: int
    end: int
    replacement: str
    gain: float
    left: float = 0.0  # the best candidate's first-token gain from the left alone
    prior: float = 0.0  # its prior log-odds of being the original (a pair's: its words' sum)
    surprise: float = 0.0  # the written first token's log-probability from the left (a pair's: the lower)

    def features(self, text: str, frequency=wordfreq_frequency, trigrams=None) -> dict[str, float]:
        """What the calibration reads: the gains, the prior, whether a pair, how common the
        written words and the candidate's are (a spinner's swap is often the rarer word),
        and the candidate's gain under a general trigram model (ngram.py), which knows
        fixed expressions."""
        written, candidate = text[self.start : self.end].lower().split(), self.replacement.lower().split()
        return {
            "gain": self.gain,
            "left": self.left,
            "prior": self.prior,
            "pair": float(len(written) > 1),
            "word_zipf": min(zipf(frequency(w)) for w in written),
            "candidate_zipf": min(zipf(frequency(w)) for w in candidate),
            "surprise": self.surprise,
            "ngram": trigrams.gain(text, self.start, self.end, self.replacement) if trigrams else 0.0,
        }


def sentences(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for match in SENTENCE_END.finditer(text):
        spans.append((pos, match.start()))
        pos = match.end()
    spans.append((pos, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def content_words(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Word spans a spinner would swap: not function words, numbers or acronyms. Capitalised
    words are read too ("Home Division" for Home Office): a name's thesaurus neighbours
    read worse in its place, so the evidence tells names apart, not the case."""
    out = []
    for match in HYPHENATED_WORD.finditer(text, start, end):
        word = match.group()
        if len(word) < MIN_LETTERS or word.lower() in FUNCTION_WORDS or word.isupper():
            continue
        out.append(match.span())
    return out


class ChannelDetector:
    name = NAME
    screened = True  # a pipeline with a screen runs it only where the fast detectors found spin

    def __init__(self, load_scorer, candidates, calibration: Calibration, model_name: str = "", focus=None, trigrams=None):
        """`load_scorer()`: the language-model engine (language_model.LanguageModel),
        loaded on the first document with content words (it takes seconds); `candidates(word)`:
        (text, prior log-odds) of the words `word` could stand for, in its inflection and
        casing; `focus(texts)`: for each text, (start, end, score) of the words the span
        tagger suspects, which are rescored whatever the first pass says; `trigrams`: the
        general trigram model (ngram.Trigrams)."""
        self._load_scorer = load_scorer
        self._scorer = None
        self.candidates = candidates
        self.calibration = calibration
        self.focus = focus
        self.trigrams = trigrams
        self.version = f"{model_name}:{calibration.version}" + (":focus" if focus else "")

    @property
    def scorer(self):
        if self._scorer is None:
            self._scorer = self._load_scorer()
        return self._scorer

    def detect_many(self, docs: list[Document]) -> list[list[Finding]]:
        focused = self.focus([d.text for d in docs]) if self.focus and docs else [[] for _ in docs]
        return [self.detect(doc, {a for a, _, _ in words}) for doc, words in zip(docs, focused)]

    def detect(self, doc: Document, focused: set[int] = frozenset()) -> list[Finding]:
        """`focused`: start offsets of words to rescore whatever the first pass says."""
        scored = [(self.calibration.probability(self.features(doc.text, g)), g) for g in self.text_gains(doc.text, focused)]
        return [self._finding(score, g) for score, g in _strongest(scored)]

    def features(self, text: str, gain: Gain) -> dict[str, float]:
        return gain.features(text, trigrams=self.trigrams)

    def text_gains(self, text: str, focused: set[int] = frozenset()) -> list[Gain]:
        """Every rescored gain of a whole text, window by window."""
        return [g for a, b in self._windows(text) for g in self.gains(text, a, b, focused)]

    def _finding(self, score: float, gain: Gain) -> Finding:
        return Finding(
            rule=SPUN_PHRASE.code,
            severity="error" if score >= ERROR_SCORE else "warning",
            start=gain.start,
            end=gain.end,
            score=score,
            source=NAME,
            message=f"reads as a synonym swap for '{gain.replacement}' (a language model finds that {gain.gain:.1f} nats likelier here)",
            suggestions=[Suggestion(gain.replacement, score)],
        )

    def _windows(self, text: str) -> list[tuple[int, int]]:
        """Runs of whole sentences of about WINDOW_TOKENS tokens (4 characters a token)."""
        out: list[tuple[int, int]] = []
        for a, b in sentences(text):
            if out and b - out[-1][0] <= WINDOW_TOKENS * 4:
                out[-1] = (out[-1][0], b)
            else:
                out.append((a, b))
        return out

    def gains(self, text: str, start: int, end: int, focused: set[int] = frozenset()) -> list[Gain]:
        """The best candidate's gain at each content word and pair of adjacent ones that the
        screens pass (or whose start is in `focused`)."""
        words = content_words(text, start, end)
        if not words:
            return []
        window = self.scorer.window(text[start:end])
        index = {offset + start: i for i, offset in enumerate(window.starts)}
        # (span, token index, gap, candidates as continuations, left gain, prior, surprise)
        asks: list[tuple[tuple[int, int], int, str, list[str], list[float], list[float], float]] = []
        at, pruned, suspect, surprise = {}, {}, set(), {}
        for span in words:
            first = index.get(_token_start(text, start, span))
            if first is None:
                continue
            gap, word = _gap(text, start, span), text[span[0] : span[1]]
            here = window.logp[first]  # the distribution of the word's first token
            own = float(here[self.scorer.first_token(gap + word)])
            if own > SURPRISE and span[0] not in focused:
                continue
            options = [(c, p) for c, p in self.candidates(word)[:CANDIDATES] if not _expands(word, c)]
            if not options:
                continue
            at[span], surprise[span] = first, own
            ranked = sorted(((float(here[self.scorer.first_token(gap + c)]) - own, p, c) for c, p in options), key=lambda t: -(t[0] + PRIOR_WEIGHT * t[1]))
            pruned[span] = ranked[:PAIRED]
            if ranked[0][0] + PRIOR_WEIGHT * ranked[0][1] >= SUSPECT or span[0] in focused:
                suspect.add(span)
                kept = ranked[:KEPT]
                asks.append((span, first, gap, [c for _, _, c in kept], [g for g, _, _ in kept], [p for _, p, _ in kept], own))
        for one, two in zip(words, words[1:]):
            if text[one[1] : two[0]] == " " and one in at and two in at and (one in suspect or two in suspect):
                combined = [(a, b) for a in pruned[one] for b in pruned[two]]
                asks.append(((one[0], two[1]), at[one], _gap(text, start, one), [f"{a[2]} {b[2]}" for a, b in combined], [0.0] * len(combined), [a[1] + b[1] for a, b in combined], min(surprise[one], surprise[two])))
        requests = []
        for span, first, gap, candidates, _, _, _ in asks:
            right = _right_context(text, span[1], end)
            requests += [(first, gap + t + right) for t in [text[span[0] : span[1]], *candidates]]
        scores = self.scorer.continuations(window, requests)
        gains, pos = [], 0
        for span, _, _, candidates, lefts, priors, written in asks:
            own, theirs = scores[pos], scores[pos + 1 : pos + 1 + len(candidates)]
            pos += 1 + len(candidates)
            best = max(range(len(theirs)), key=theirs.__getitem__)
            gains.append(Gain(span[0], span[1], candidates[best], theirs[best] - own, lefts[best], priors[best], written))
        return gains


def _expands(word: str, candidate: str) -> bool:
    """Whether `word` is a short form of `candidate` ("pct" of "percent", "corp" of
    "corporation"): a clipping reads worse than its expansion without being a swap."""
    word, candidate = word.lower(), candidate.lower()
    rest = iter(candidate)
    return len(word) <= 5 and len(candidate) > len(word) and word[0] == candidate[0] and all(ch in rest for ch in word)


def _gap(text: str, window_start: int, span: tuple[int, int]) -> str:
    return " " if span[0] - 1 >= window_start and text[span[0] - 1] == " " else ""


def _token_start(text: str, window_start: int, span: tuple[int, int]) -> int:
    """Where the word's first token starts: on the space before it, as this tokenizer
    attaches spaces; the word itself at the window's start or after other characters."""
    return span[0] - 1 if span[0] - 1 >= window_start and text[span[0] - 1] == " " else span[0]


def _right_context(text: str, pos: int, end: int) -> str:
    right = text[pos : min(end, pos + RIGHT_CHARACTERS)]
    if pos + RIGHT_CHARACTERS < end and " " in right:
        right = right[: right.rindex(" ")]
    return right


def _strongest(scored: list[tuple[float, Gain]]) -> list[tuple[float, Gain]]:
    """Overlapping gains keep the likeliest (a pair's over its words')."""
    kept: list[tuple[float, Gain]] = []
    for score, gain in sorted(scored, key=lambda item: -item[0]):
        if all(gain.end <= k.start or k.end <= gain.start for _, k in kept):
            kept.append((score, gain))
    return sorted(kept, key=lambda item: item[1].start)
