"""Rebuild data/collocations.tsv.gz: word, word-pair and word-triple counts for ranking
suggestions.

Counts lower-cased tokens (detector.suggest.evidence.collocations.tokens), adjacent pairs and
adjacent triples, with sentence-start and sentence-end marks, over the train split of the training corpora (BBC
business, entertainment, politics, sport and Reuters-21578: never the documents of the
synthetic validation and test splits, BBC tech or the dev set). Pairs and triples seen
fewer than MIN_PAIR_COUNT times are dropped. Only tokens and counts are written: no corpus sentence
reaches the repo.

    python scripts/build_collocations.py --corpora ../shared/corpora
"""

from __future__ import annotations

import argparse
import gzip
import os
import tempfile
import time
from collections import Counter
from pathlib import Path

from detector.training.corpora import default_root, sentences, training_documents
from detector.training.dataset import split_of
from detector.suggest.evidence.collocations import END, START, tokens

DATA = Path(__file__).resolve().parent.parent / "data"
MIN_PAIR_COUNT = 3  # pairs seen once or twice rank candidates no better (docs/experiments.md)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpora", type=Path, default=default_root())
    parser.add_argument("--output", type=Path, default=DATA / "collocations.tsv.gz")
    args = parser.parse_args()
    started = time.time()
    words, pairs, triples, documents = Counter(), Counter(), Counter(), 0
    for doc_id, text in training_documents(args.corpora):
        if split_of(doc_id) != "train":
            continue
        documents += 1
        for sentence in sentences(text):
            sequence = [START, *tokens(sentence), END]
            words.update(sequence)
            pairs.update(zip(sequence, sequence[1:]))
            triples.update(zip(sequence, sequence[1:], sequence[2:]))
    kept = {pair: count for pair, count in pairs.items() if count >= MIN_PAIR_COUNT}
    kept_triples = {triple: count for triple, count in triples.items() if count >= MIN_PAIR_COUNT}
    with tempfile.NamedTemporaryFile("wb", dir=args.output.parent, delete=False) as raw:
        # mtime=0: the same counts give the same bytes
        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
            out.write(b"# word<TAB>count, then word<TAB>next<TAB>count, then word<TAB>next<TAB>next<TAB>count (scripts/build_collocations.py; data/README.md)\n")
            for word, count in sorted(words.items(), key=lambda kv: (-kv[1], kv[0])):
                out.write(f"{word}\t{count}\n".encode())
            for (first, second), count in sorted(kept.items(), key=lambda kv: (-kv[1], kv[0])):
                out.write(f"{first}\t{second}\t{count}\n".encode())
            for triple, count in sorted(kept_triples.items(), key=lambda kv: (-kv[1], kv[0])):
                out.write(("\t".join(triple) + f"\t{count}\n").encode())
    os.chmod(raw.name, 0o644)
    os.replace(raw.name, args.output)
    print(f"{documents:,} documents, {sum(words.values()):,} tokens, {len(words):,} words, {len(kept):,} pairs, {len(kept_triples):,} triples -> {args.output} in {time.time() - started:.0f}s")


if __name__ == "__main__":
    main()
