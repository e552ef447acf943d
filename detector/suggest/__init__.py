"""Suggestions: ranked canonical terms for every spun-phrase finding.

- `contracts.py`: what the parts promise each other (Candidate, Source, Ranked, and the
  CandidateSource, SteeredSource and Judge protocols).
- `sources/`: where candidates come from: the mapping tables (table.py; hand-made and
  users' entries settle a phrase, generated ones are ranked with the rest), a
  reverse-thesaurus search over the canonical lexicon (lexicon.py), the thesaurus run
  backwards run by run of words (words.py) and again steered by the words around the
  phrase (context_search.py); substitutions.py gives the channel detector its
  candidates. Every source returns candidates in the flagged text's inflection and casing.
- `judges/`: what re-ranks them by how each reads in its sentence: a trained ranker
  (ranker.py), then the span classifier (classifier.py) over the best few, then the
  optional SmolLM2 language model (lm.py) over the best of those.
- `evidence/`: what the ranker reads: collocation counts (collocations.py), the spinner's
  odds of making the flagged phrase from a candidate (channel.py), the story's topic
  (topics.py), all from the suggestion index in the cache (index.py).
- `suggester.py` runs sources and judges for a document's findings; `assembly.py` builds
  them from the shipped data.
"""
