"""Rebuild data/lexicon.tsv: the canonical lexicon of news terms and collocations.

Mines 2- to 4-word collocations from the training corpora (BBC business, entertainment,
politics, sport and Reuters-21578; never BBC tech or the dev set) by count and pointwise
mutual information, drops proper names (a word must appear in lower case at least a
third of the time), and merges the hand-reviewed terms of data/lexicon_hand.txt.
Only terms and counts are written: no corpus sentence ever reaches the repo.

    python scripts/build_lexicon.py --corpora ../shared/corpora
"""

from __future__ import annotations

import argparse
import math
import re
import time
from collections import Counter
from pathlib import Path

from detector.training.corpora import default_root, sentences, training_documents

DATA = Path(__file__).resolve().parent.parent / "data"
TOKEN = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*|[^\sA-Za-z]+")
STOP = set(
    "a an the and or but of to in on at by for with from as is are was were be been being it its this that these those "
    "he she they we you i his her their our your my me him them us who which what when where why how not no said says say "
    "will would can could should may might must has have had do does did than then there here also just more most very "
    "about after before over under into out up down off said mr mrs ms one two three".split()
)
MIN_COUNT = {2: 12, 3: 10, 4: 8}
MIN_PMI = 4.0
MAX_TERMS = 12_000


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpora", type=Path, default=default_root())
    parser.add_argument("--output", type=Path, default=DATA / "lexicon.tsv")
    args = parser.parse_args()
    started = time.time()
    unigrams, lower_unigrams, ngrams, surfaces = Counter(), Counter(), Counter(), {}
    total = 0
    documents = list(training_documents(args.corpora))
    for _, text in documents:
        for sentence in sentences(text):
            words = TOKEN.findall(sentence)
            lowered = [w.lower() for w in words]
            total += len(words)
            unigrams.update(lowered)
            lower_unigrams.update(w for w in words if w.islower())
            for n in (2, 3, 4):
                for i in range(len(words) - n + 1):
                    gram = tuple(lowered[i : i + n])
                    ngrams[gram] += 1
                    surface = " ".join(words[i : i + n])
                    surfaces.setdefault(gram, Counter())[surface] += 1 if ngrams[gram] < 50 else 0
    candidates = []
    for gram, count in ngrams.items():
        n = len(gram)
        if count < MIN_COUNT[n] or gram[0] in STOP or gram[-1] in STOP:
            continue
        if not all(w[0].isalpha() and len(w) > 1 for w in gram):
            continue
        if any(lower_unigrams[w] < unigrams[w] / 3 for w in gram if w not in STOP):
            continue  # proper names: spinners leave them alone
        expected = math.prod(unigrams[w] / total for w in gram) * total
        pmi = math.log2(count / expected)
        if pmi < MIN_PMI * (n - 1) / 1.5:
            continue
        candidates.append((count, gram))
    candidates.sort(reverse=True)
    terms = {}
    for count, gram in candidates[:MAX_TERMS]:
        terms[surfaces[gram].most_common(1)[0][0]] = (count, "mined")
    hand = [line.strip() for line in (DATA / "lexicon_hand.txt").read_text().splitlines()]
    for term in hand:
        if term and not term.startswith("#"):
            gram = tuple(TOKEN.findall(term.lower()))
            terms = {t: v for t, v in terms.items() if t.lower() != term.lower()}
            terms[term] = (ngrams.get(gram, 0) if len(gram) > 1 else unigrams.get(gram[0], 0), "hand")
    with args.output.open("w", encoding="utf-8") as out:
        out.write("# term\tcount\tsource (built by scripts/build_lexicon.py; see data/README.md)\n")
        for term, (count, source) in sorted(terms.items(), key=lambda kv: (-kv[1][0], kv[0])):
            out.write(f"{term}\t{count}\t{source}\n")
    print(f"{len(documents):,} documents, {total:,} tokens, {len(terms):,} terms -> {args.output} in {time.time() - started:.0f}s")


if __name__ == "__main__":
    main()
