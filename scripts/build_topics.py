"""Rebuild data/topics.safetensors: a vector per content word of news stories, for ranking
suggestions by how well they fit the story (detector/suggest/evidence/topics.py).

Over the train split of the training corpora (BBC business, entertainment, politics,
sport and Reuters-21578: never the documents of the synthetic validation and test
splits, BBC tech or the dev set), counts the stories each content lemma occurs in and
those each pair of them shares. Lemmas in fewer than MIN_DOCUMENTS stories and pairs
sharing fewer than MIN_DOCUMENTS are dropped; the positive pointwise mutual information
of the pairs is reduced to DIMENSIONS by a randomized truncated SVD (fixed seed), and each
lemma's row is scaled to unit length and stored as float16. Only lemmas and vectors reach
the repo.

    python scripts/build_topics.py --corpora ../shared/corpora
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
import scipy.sparse as sparse
from sklearn.utils.extmath import randomized_svd

from detector.training.corpora import default_root, training_documents
from detector.training.dataset import split_of
from detector.suggest.evidence.topics import content_lemmas

DATA = Path(__file__).resolve().parent.parent / "data"
# a lemma needs this many stories for a vector; both settings measured in docs/experiments.md
MIN_DOCUMENTS = 3
DIMENSIONS = 100


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpora", type=Path, default=default_root())
    parser.add_argument("--output", type=Path, default=DATA / "topics.safetensors")
    args = parser.parse_args()
    from safetensors.numpy import save_file

    started = time.time()
    stories = [sorted(content_lemmas(text)) for doc_id, text in training_documents(args.corpora) if split_of(doc_id) == "train"]
    counts = Counter(lemma for lemmas in stories for lemma in lemmas)  # stories each lemma occurs in
    words = sorted(w for w, n in counts.items() if n >= MIN_DOCUMENTS)
    column = {w: i for i, w in enumerate(words)}
    rows = [i for i, lemmas in enumerate(stories) for w in lemmas if w in column]
    columns = [column[w] for lemmas in stories for w in lemmas if w in column]
    occurs = sparse.csr_matrix((np.ones(len(rows), dtype=np.float64), (rows, columns)), shape=(len(stories), len(words)))
    shared = (occurs.T @ occurs).tocoo()  # stories each pair of lemmas shares
    documents = np.array([counts[w] for w in words], dtype=np.float64)
    keep = (shared.row != shared.col) & (shared.data >= MIN_DOCUMENTS)
    a, b, n = shared.row[keep], shared.col[keep], shared.data[keep]
    pmi = np.log(len(stories) * n / (documents[a] * documents[b]))
    positive = pmi > 0
    ppmi = sparse.csr_matrix((pmi[positive], (a[positive], b[positive])), shape=(len(words), len(words)))
    left, singular, _ = randomized_svd(ppmi, n_components=DIMENSIONS, random_state=0)
    vectors = left * np.sqrt(singular)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    with tempfile.NamedTemporaryFile(dir=args.output.parent, suffix=".tmp", delete=False) as handle:
        temporary = handle.name
    save_file({"vectors": vectors.astype(np.float16)}, temporary, metadata={"words": "\n".join(words)})  # one key: safetensors writes several in no fixed order
    os.chmod(temporary, 0o644)
    os.replace(temporary, args.output)
    print(f"{len(stories):,} stories, {len(words):,} lemmas, {positive.sum() // 2:,} associated pairs -> {args.output} in {time.time() - started:.0f}s")


if __name__ == "__main__":
    main()
