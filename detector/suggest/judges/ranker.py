"""The ranker: a small network, trained on the train split, that scores each of a finding's
candidates from what the other parts know of it in its context, and ranks them.

Its evidence (FEATURES): the bigrams and counted triples the candidate makes with its
neighbours and within itself (collocations.py), how a thesaurus spinner would turn it into the flagged phrase
(channel.py: swaps, kept and unexplained words), where it came from, its length, and
whether its words occur elsewhere in the document (a spinner swaps some occurrences of a
word and leaves others), and how close its new words lie to the story's other words
(topics.py). It reads a finding's best RANKED candidates by bigrams; the
rest stay behind them.

Trained by scripts/train_ranker.py (data/ranker.safetensors, data/README.md): the
candidates of the shipped model's findings on train-split passages, a softmax over each
finding's candidates; the mean of five networks from different seeds. What each feature
added is in docs/experiments.md.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import numpy as np

from detector.document import Document
from detector.findings import Finding
from detector.inflection import lemma_key
from detector.suggest.contracts import Candidate, Ranked, Source, shares
from detector.suggest.evidence.collocations import neighbours, tokens
from detector.suggest.evidence.topics import content_lemmas
from detector.words import ENGLISH_WORD, FUNCTION_WORDS

FEATURES = (
    "left_transition",  # log P(first word | word before)
    "inner_transitions",  # log P of the candidate's own word pairs
    "right_transition",  # log P(word after | last word)
    "word_log_probabilities",  # sum of its words' log P on their own
    "channel",  # log P(flagged phrase | candidate), channel.py
    "unexplained",  # words the channel's alignment cannot relate
    "kept",  # content words left as they were
    "swaps",
    "swap_log",
    "from_lexicon",  # else from the word-by-word search
    "inflection_guessed",  # an original inflected every way, none carried over (words.py)
    "from_context_search",  # proposed only by the search steered by the neighbours (context_search.py)
    "from_generated_table",  # a generated mapping-table entry's term (table.py)
    "source_prior",
    "words",
    "length_change",  # |candidate words − flagged words|
    "bigram_rank",  # log(1 + rank) by bigrams among the finding's candidates
    "left_pair_seen",  # the pair (word before, first word) occurs in the counts
    "right_pair_seen",
    "in_document_share",  # of its content words that occur elsewhere in the document
    "in_document_count",  # log(1 + occurrences elsewhere)
    # word triples ending in each of the candidate's words and in the two words after it:
    "triples_log",  # sum of log(P(word | two before) + UNSEEN)
    "triples_seen",  # how many of them were counted
    "first_triple",  # log(P + UNSEEN) of the first of them
    "last_triple",  # and of the last
    # how close its new content words lie to the story's other words (topics.py):
    "topic_mean",  # mean cosine to the centroid of the story's words
    "topic_max",  # the highest of those
    "topic_nearest",  # the highest cosine to any one word of the story
    "topic_known",  # 1 when both sides have vectors (else the three are 0)
)
RANKED = 20  # the best candidates by bigrams that the ranker reads
UNSEEN = 1e-4  # added to triple probabilities, most of which are 0 (triple not counted)
PATH = resources.files("detector") / "data" / "ranker.safetensors"


class DocumentWords(NamedTuple):
    """What the features read of the whole document, counted once per document."""

    lemmas: Counter  # of every word
    content: Counter  # of its content words (topics.content_lemmas)

    @classmethod
    def of(cls, text: str) -> DocumentWords:
        return cls(Counter(lemma_key(word) for word in ENGLISH_WORD.findall(text.lower())), content_lemmas(text))


class CandidateFeatures:
    def __init__(self, collocations, channel, topics):
        """`collocations`: collocations.Collocations; `channel`: channel.Channel; `topics`:
        topics.Topics."""
        self.collocations = collocations
        self.channel = channel
        self.topics = topics

    def rows(self, text: str, document: DocumentWords, start: int, end: int, candidates: list[Candidate]) -> tuple[list[Candidate], np.ndarray]:
        """The best RANKED candidates by bigrams, best first, and their FEATURES.
        `document`: DocumentWords.of(text)."""
        collocations = self.collocations
        before, after = neighbours(text, start, end, 2)
        left, right = before[-1:], after[:1]
        phrase = text[start:end]
        inside = DocumentWords.of(phrase)
        elsewhere = document.lemmas - inside.lemmas
        story = self.topics.story(set(document.content - inside.content))
        by_bigrams = sorted(((collocations.log_probability(left + tokens(c.text) + right), c) for c in candidates if tokens(c.text)), key=lambda item: -item[0])
        kept, rows = [], []
        phrase_words = len(ENGLISH_WORD.findall(phrase))
        for rank, (_, candidate) in enumerate(by_bigrams[:RANKED]):
            words = tokens(candidate.text)
            alignment = self.channel.alignment(phrase, candidate.text)
            candidate_words = len(ENGLISH_WORD.findall(candidate.text))
            content = [lemma_key(w) for w in ENGLISH_WORD.findall(candidate.text.lower()) if w not in FUNCTION_WORDS]
            seen = [elsewhere[w] for w in content]
            around = before + words + after
            triples = [collocations.continuation(*around[i - 2 : i + 1]) for i in range(2, len(around))]
            triple_logs = [math.log(p + UNSEEN) for p in triples]
            rows.append(
                [
                    collocations.transition(left[0], words[0]),
                    sum(collocations.transition(a, b) for a, b in zip(words, words[1:])),
                    collocations.transition(words[-1], right[0]),
                    sum(collocations.word_log_probability(w) for w in words),
                    *alignment,
                    candidate.source == Source.LEXICON,
                    candidate.source == Source.GUESSED,
                    candidate.source == Source.STEERED,
                    candidate.source == Source.GENERATED,
                    candidate.prior,
                    candidate_words,
                    abs(candidate_words - phrase_words),
                    math.log1p(rank),
                    collocations.pair_seen(left[0], words[0]),
                    collocations.pair_seen(words[-1], right[0]),
                    sum(n > 0 for n in seen) / len(content) if content else 0.0,
                    math.log1p(sum(seen)),
                    sum(triple_logs),
                    sum(p > 0 for p in triples),
                    triple_logs[0],
                    triple_logs[-1],
                    *self.topics.fit(story, candidate.text),
                ]
            )
            kept.append(candidate)
        return kept, np.array(rows, dtype=np.float32).reshape(len(rows), len(FEATURES))


class Ranker:
    """The network: standardised features → tanh hidden layer → a score. (Trained as five
    networks, shipped as one: their hidden units side by side, their outputs averaged.)"""

    def __init__(self, tensors: dict[str, np.ndarray]):
        self.tensors = tensors

    @classmethod
    def load(cls, path: Path) -> Ranker:
        from safetensors import safe_open

        with safe_open(str(path), framework="numpy") as handle:
            features = tuple(json.loads((handle.metadata() or {}).get("ranker", "{}")).get("features", ()))
            if features != FEATURES:
                raise ValueError(f"{path}: trained on other features ({', '.join(features)})")
            return cls({name: handle.get_tensor(name) for name in handle.keys()})

    def scores(self, rows: np.ndarray) -> np.ndarray:
        t = self.tensors
        hidden = np.tanh(((rows - t["mean"]) / t["scale"]) @ t["hidden.weight"].T + t["hidden.bias"])
        return hidden @ t["output.weight"][0] + t["output.bias"][0]


@lru_cache(maxsize=1)
def shipped_ranker() -> Ranker:
    return Ranker.load(Path(str(PATH)))


def shipped_ranker_digest() -> str:
    """Of the shipped weights: results ranked by other weights are other results. ("none"
    before scripts/train_ranker.py first wrote them: it builds the pipeline it learns from.)"""
    return hashlib.sha256(PATH.read_bytes()).hexdigest()[:16] if PATH.is_file() else "none"


class RankerJudge:
    """Scores each searched candidate by its share of the probability among the finding's
    candidates by the ranker's scores (those it does not read: 0); table candidates keep
    their scores."""

    def __init__(self, features: CandidateFeatures, ranker: Ranker):
        self.features = features
        self.ranker = ranker

    def rescore(self, doc: Document, pending: Sequence[tuple[Finding, Ranked]]) -> list[Ranked]:
        words = None
        out = []
        for finding, ranked in pending:
            positions = ranked.judged()
            if not positions:
                out.append(ranked)
                continue
            words = words if words is not None else DocumentWords.of(doc.text)
            read, rows = self.features.rows(doc.text, words, finding.start, finding.end, [ranked.candidates[i] for i in positions])
            scores = dict.fromkeys(positions, 0.0)  # behind those the ranker reads
            if read:
                at = {id(c): i for i, c in enumerate(ranked.candidates)}
                scores.update((at[id(c)], share) for c, share in zip(read, shares(list(self.ranker.scores(rows)))))
            out.append(ranked.rescored(scores))
        return out
