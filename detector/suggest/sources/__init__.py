"""Where candidates come from: the mapping tables, the lexicon search, the thesaurus run backwards (alone and steered by the context) and, for the channel detector, two-step substitutions."""
