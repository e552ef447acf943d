"""Lemmas, inflection and casing, shared by table matching, suggestions and the spinner.

Built on lemminflect so that "Unfamiliar Clergymen" matches a table entry for
"unfamiliar clergyman" and its canonical term comes back as "Foreign Ministers".
"""

from __future__ import annotations

import re
from functools import lru_cache

import lemminflect
from lemminflect.core.Inflections import Inflections
from lemminflect.core.Lemmatizer import Lemmatizer

from detector.words import NAME_WORD

INFLECTED_TAGS = {
    "NOUN": ("NNS",),
    "VERB": ("VBZ", "VBD", "VBG", "VBN"),
    "ADJ": ("JJR", "JJS"),
    "ADV": ("RBR", "RBS"),
}
TAG_UPOS = {tag: upos for upos, tags in INFLECTED_TAGS.items() for tag in tags}
SMALL_WORDS = {"a", "an", "and", "as", "at", "but", "by", "for", "in", "nor", "of", "on", "or", "the", "to", "with"}


def lemminflect_tables() -> tuple[dict, dict]:
    """lemminflect's lemma table (word → {upos: lemmas}) and inflection table (lemma →
    {tag: forms}), read from its data files as it reads them itself."""
    from lemminflect.codecs.InflectionLUCodec import InflectionLUCodec
    from lemminflect.codecs.LemmaLUCodec import LemmaLUCodec

    return LemmaLUCodec.load(Lemmatizer().lemma_lu_fn), InflectionLUCodec.load(Inflections().infl_lu_fn)


def read_lemminflect_tables_from(lemmas, inflections) -> None:
    """Have lemminflect read its tables from these mappings (only their `.get` is used)
    instead of parsing its data files: that takes 0.35 s, more than a check's suggestions
    need. Relies on lemminflect 0.2.3's lazily set attributes (the version is pinned)."""
    Lemmatizer().lemma_dict = lemmas
    Inflections().infl_dict = inflections


# Matching looks through noun and verb inflection only: adjective lemmas would make
# "more" and "most" one word ("much"), and a table entry would match ordinary prose.
MATCH_UPOS = ("NOUN", "VERB")


@lru_cache(maxsize=200_000)
def lemmas(word: str) -> frozenset[str]:
    """The word and its noun and verb lemmas ("clergymen" → {"clergymen", "clergyman"})."""
    lower = word.lower()
    found = {lower}
    for upos, forms in lemminflect.getAllLemmas(lower).items():
        if upos in MATCH_UPOS:
            found.update(forms)
    return frozenset(found)


@lru_cache(maxsize=200_000)
def lemma_key(word: str) -> str:
    """One canonical lemma for table lookups: the noun lemma, else the verb lemma, else the word."""
    lower = word.lower()
    found = lemminflect.getAllLemmas(lower)
    for upos in MATCH_UPOS:
        if upos in found:
            return found[upos][0]
    return lower


def inflected_forms(key: str) -> set[str]:
    """The key and its noun and verb inflections: the words whose lemmas include `key`."""
    forms = {key}
    for upos in MATCH_UPOS:
        for inflections in lemminflect.getAllInflections(key, upos=upos).values():
            forms.update(inflections)
    return forms


@lru_cache(maxsize=200_000)
def inflection_tag(word: str) -> str | None:
    """The Penn tag that turns the word's lemma into `word` (NNS, VBD, ...), or None for a base form."""
    lower = word.lower()
    found = lemminflect.getAllLemmas(lower)
    if any(lower in forms for forms in found.values()):
        return None  # a base form in some part of speech ("meeting" the noun): keep it as is
    for upos, forms in found.items():
        for tag in INFLECTED_TAGS.get(upos, ()):
            for lemma in forms:
                if lemma != lower and lower in lemminflect.getInflection(lemma, tag=tag):
                    return tag
    return None


@lru_cache(maxsize=200_000)
def verb_form(word: str) -> tuple[str, str] | None:
    """(lemma, Penn tag) when `word` is an inflected verb form, even one that is also a noun
    ("taking" → ("take", "VBG"), which inflection_tag leaves alone as the noun "taking")."""
    lower = word.lower()
    return _form_of(lower, {"VERB": lemminflect.getAllLemmas(lower).get("VERB", ())})


def _form_of(lower: str, lemmas_of: dict[str, tuple[str, ...]]) -> tuple[str, str] | None:
    """The first (lemma, Penn tag) among `lemmas_of` (upos → candidate lemmas) whose tag
    form is `lower`, forms lemminflect makes by its regular rules included."""
    for upos, lemmas in lemmas_of.items():
        for lemma in lemmas:
            if lemma != lower:
                for tag in INFLECTED_TAGS[upos]:
                    if lower in lemminflect.getInflection(lemma, tag=tag, inflect_oov=True):
                        return lemma, tag
    return None


@lru_cache(maxsize=200_000)
def adjective_or_unknown_form(word: str) -> tuple[str, str] | None:
    """(lemma, Penn tag) for a comparative or superlative ("meanest" → ("mean", "JJS")) or
    for a word lemminflect does not know that is a regular inflection of one it knows
    ("stylishest" → ("stylish", "JJS"), "hims" → ("him", "NNS")): spinners inflect a
    synonym like the word it replaces, even where English has no such form."""
    lower = word.lower()
    known = lemminflect.getAllLemmas(lower)
    if known:
        return _form_of(lower, {"ADJ": known.get("ADJ", ())})
    # lemminflect's rules guess one lemma ("majorer" → "majore"); the bare stem is tried too;
    # either must be a word lemminflect knows in that part of speech
    stems = tuple(lower[: -len(suffix)] for suffix in ("er", "est", "s", "ed", "ing") if lower.endswith(suffix))
    guesses = {upos: lemminflect.getAllLemmasOOV(lower, upos).get(upos, ()) + stems for upos in INFLECTED_TAGS}
    return _form_of(lower, {upos: tuple(g for g in found if upos in lemminflect.getAllLemmas(g)) for upos, found in guesses.items()})


def has_form(word: str, tag: str) -> bool:
    """Whether lemminflect knows a `tag` form of `word` (no guessing by rule)."""
    upos_lemmas = lemminflect.getAllLemmas(word.lower()).get(TAG_UPOS[tag], ())
    return any(lemminflect.getInflection(lemma, tag=tag, inflect_oov=False) for lemma in upos_lemmas)


@lru_cache(maxsize=200_000)
def parts_of_speech(word: str) -> frozenset[str]:
    """The parts of speech (upos) lemminflect knows the word in."""
    return frozenset(lemminflect.getAllLemmas(word.lower()))


@lru_cache(maxsize=200_000)
def inflect(word: str, tag: str | None) -> str:
    """`word` inflected to `tag` (its first form), or unchanged when lemminflect has none."""
    if not tag:
        return word
    # the lemma of the tag's part of speech: "doing" is a noun too, but VBD needs "do"
    lemmas = lemminflect.getAllLemmas(word.lower()).get(TAG_UPOS[tag])
    base = lemmas[0] if lemmas else lemma_key(word)
    forms = lemminflect.getInflection(base, tag=tag)
    if not forms:
        forms = lemminflect.getInflection(base, tag=tag, inflect_oov=True)
    return forms[0] if forms else word


def casing(text: str) -> str:
    """'upper', 'title', 'sentence' or 'lower': the casing pattern of a phrase."""
    words = NAME_WORD.findall(text)
    if not words:
        return "lower"
    if len(text) > 1 and text.isupper():
        return "upper"
    content = [w for w in words if w.lower() not in SMALL_WORDS] or words
    if len(words) > 1 and all(w[0].isupper() for w in content):
        return "title"
    if words[0][0].isupper():
        return "sentence" if len(words) > 1 or not words[0].isupper() else "title"
    return "lower"


def apply_casing(text: str, pattern: str) -> str:
    if pattern == "upper":
        return text.upper()
    if pattern == "title":
        out = []
        for i, match in enumerate(re.split(r"(\W+)", text)):
            keep_small = i > 0 and match.lower() in SMALL_WORDS
            out.append(match if keep_small or not match else match[0].upper() + match[1:])
        return "".join(out)
    if pattern == "sentence":
        return text[:1].upper() + text[1:]
    return text


def carry_over(replacement: str, original: str) -> str:
    """Give `replacement` the inflection of `original`'s last word and `original`'s casing."""
    original_words = NAME_WORD.findall(original)
    tag = inflection_tag(original_words[-1]) if original_words else None
    return apply_casing(inflect_phrase(replacement, tag), casing(original))


def inflect_phrase(replacement: str, tag: str | None) -> str:
    """`replacement` with the word that carries a phrase's inflection inflected to `tag`."""
    if not tag:
        return replacement
    parts = re.split(r"([\s-]+)", replacement)
    content = [k for k in range(0, len(parts), 2) if parts[k].lower() not in SMALL_WORDS]
    # Verbs inflect their first verb ("set up" → "sets up"), nouns their last word if it
    # is a noun ("self-sufficient" has no plural), adjectives their last adjective; a
    # replacement without such a word ("nuclear-armed" for a VBN) stays as it is.
    upos = "VERB" if tag.startswith("VB") else "NOUN" if tag.startswith("NN") else "ADJ"
    order = {"VERB": content, "NOUN": content[-1:], "ADJ": content[::-1]}[upos]
    heads = [k for k in order if upos in parts_of_speech(parts[k])]
    if heads:
        parts[heads[0]] = inflect(parts[heads[0]], tag)
    return "".join(parts)
