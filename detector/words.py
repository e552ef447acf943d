"""Words the check path and the spinner share: what a word is (the patterns below), the
function words no spinner swaps and no suggestion offers as a content word, and how
common a word is."""

from __future__ import annotations

import math
import re

# What counts as a word, named for what each pattern matches. A module takes the one its
# data was made with: the tagger's features, the thesaurus's entries, the trigram model's
# vocabulary and stored baselines all depend on their pattern, so these are not merged.
LETTERS = re.compile(r"[^\W\d_]+")  # a run of letters of any script
TAGGER_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")  # letters or digits, joined by apostrophes and hyphens
ENGLISH_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?(?:-[A-Za-z]+)*")  # as the thesaurus spells it: one apostrophe, compounds whole
HYPHENATED_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")  # ASCII letters, compounds whole, apostrophes ending it
LOWER_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")  # a lower-case word as the lexicon and the trigram model spell it
LOWER_COMPOUND = re.compile(r"[a-z]+(?:-[a-z]+)*")  # lower-case letters, compounds whole
NAME_WORD = re.compile(r"[A-Za-z][A-Za-z']*")  # a word of a title or name, apostrophes kept
COUNTED_WORD = re.compile(r"\w+(?:['’]\w+)*")  # what the word counts of reports count

FUNCTION_WORDS = frozenset(
    "a an the and or but nor so yet of to in on at by for with from as into onto upon over under about above below "
    "after before since until while if than that this these those there here it its he she they we you i me him her "
    "them us his their our your my mine who whom whose which what when where why how not no is are was were be been "
    "being am has have had do does did will would shall should can could may might must also just very too only then "
    "mr mrs ms said says say".split()
)


def wordfreq_frequency(word: str) -> float:
    """wordfreq's frequency of an English word (imported on first use: 0.2 s)."""
    from wordfreq import word_frequency

    return word_frequency(word, "en")


def zipf(frequency: float) -> float:
    """A frequency on the Zipf scale, rounded as wordfreq's zipf_frequency rounds it."""
    return round(math.log10(max(frequency, 1e-9)) + 9, 2)
