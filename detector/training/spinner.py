"""An article spinner faithful to SpinBot-style rewriters, with exact labels.

It produces the artifacts real spinners leave, each span labelled with its `kind`:

- `synonym`: a content word swapped for a thesaurus synonym of any sense
  ("foreign" → "unfamiliar");
- `phrase`: a news term or fixed expression from the canonical lexicon spun word by
  word ("press conference" → "squeeze meeting", "in the wake of" → "in the rouse of");
- `compound`: a hyphenated compound split and both halves swapped
  ("nuclear-armed" → "atomic outfitted");
- `pos_slip`: a synonym taken from another part of speech of the same word;
- `register`: a formal word swapped for a clipped or slang form;
- `agreement`: a swap that leaves "a"/"an" wrong for the new word ("an notable");
- `real`: a swap real spinners made, learnt from tortured → correct pairs
  (detector/training/real_swaps.py; only when the spinner is given them): a word as real tools
  turn it ("deep" → "profound"), or a whole term planted as a real tortured phrase.

Inflection and capitalisation survive every swap (lemminflect); proper nouns, numbers
and function words are left alone, but a capitalised word inside a sentence is spun when
it is a word of a lexicon term (titles, offices, institutions: "Chief Executive" → "Boss
Official"); quotations are spun too. Only a share of the
eligible words is spun (`rate`), occurrence by occurrence. The same seed gives the
same output. Offsets are 0-based code points into the spun text, and replacing every
span by its `original` gives back the input exactly.
"""

from __future__ import annotations

import random
import re
from dataclasses import asdict, dataclass, field

import lemminflect

from detector.inflection import carry_over, lemma_key, lemmas
from detector.lexicon import Term
from detector.training.real_swaps import RealSwaps
from detector.thesaurus import TOP_SYNONYMS, Thesaurus
from detector.words import FUNCTION_WORDS

TOKEN = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?(?:-[A-Za-z]+)*")
REGISTER_SWAPS = {
    "information": "info", "advertisement": "ad", "advertisements": "ads", "laboratory": "lab", "television": "telly",
    "photograph": "photo", "photographs": "photos", "mathematics": "maths", "influenza": "flu", "children": "kids",
    "police": "cops", "money": "cash", "friends": "pals", "excellent": "awesome", "difficult": "tricky",
    "approximately": "roughly", "because": "cos", "executives": "execs", "executive": "exec", "statistics": "stats",
    "economy": "eco", "government": "govt", "companies": "outfits", "company": "outfit", "very": "super",
    "problem": "snag", "problems": "snags", "excited": "psyched", "increase": "hike", "increased": "hiked",
}
DETERMINERS = frozenset("the a an this that these those his her its their our your my some any every each no".split())
VERB_CUES = frozenset("to will would can could may might must shall should did does do not".split())
KINDS = ("synonym", "phrase", "compound", "pos_slip", "register", "agreement", "real")


@dataclass
class SpinConfig:
    rate: float = 0.3
    """Share of eligible words to spin."""
    phrase_rate: float = 0.7
    """Chance that a lexicon term in the text is spun as a whole."""
    typed_share: float = 0.5
    """Share of swaps drawn from part-of-speech lists (WordNet, MyThes) rather than Moby's untyped lists."""
    slip_rate: float = 0.1
    """Share of swaps drawn from another part of speech."""
    register_rate: float = 0.3
    """Chance to use a clipped/slang form when the word has one."""
    top_k: int = TOP_SYNONYMS
    """Synonyms are drawn from the first `top_k` of a list (spinners favour the first ones)."""
    real_share: float = 0.8
    """Chance that a word real spinners are known to swap takes one of their swaps."""
    real_term_rate: float = 0.8
    """Chance that a term with a known real tortured phrase is planted as that phrase."""
    real_boost: float = 3.0
    """Words real spinners are known to swap are spun this many times as often as others,
    so that their swaps make a fair share of the training spans."""
    kinds: tuple[str, ...] = KINDS


@dataclass
class SpinSpan:
    start: int
    end: int
    original: str
    kind: str


@dataclass
class SpinResult:
    text: str
    spans: list[SpinSpan] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"text": self.text, "spans": [asdict(s) for s in self.spans]}

    def unspin(self) -> str:
        out, pos = [], 0
        for span in self.spans:
            out += [self.text[pos : span.start], span.original]
            pos = span.end
        return "".join(out) + self.text[pos:]


def _by_first_word(terms) -> dict[str, list[tuple[str, ...]]]:
    """Terms (tuples of lower-case words) by their first word, longest first."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for words in terms:
        out.setdefault(words[0], []).append(words)
    for options in out.values():
        options.sort(key=len, reverse=True)
    return out


def _starts_with_vowel_sound(word: str) -> bool:
    lower = word.lower()
    if lower.startswith(("uni", "use", "usu", "eu", "one", "once")):
        return False
    if lower.startswith(("hour", "honest", "honour", "heir")):
        return True
    return lower[:1] in "aeiou"


class Spinner:
    def __init__(self, thesaurus: Thesaurus, lexicon: list[Term], config: SpinConfig | None = None, real: RealSwaps | None = None):
        self.thesaurus = thesaurus
        self.config = config or SpinConfig()
        self.real = real or RealSwaps()
        lexicon_words = (tuple(w.lower() for w in TOKEN.findall(term.text)) for term in lexicon)
        self._terms = _by_first_word(words for words in lexicon_words if words and any(w not in FUNCTION_WORDS for w in words))
        self._real_terms = _by_first_word(self.real.terms)
        # Capitalised mid-sentence, these are titles and institutions, not names.
        self._title_words = frozenset(w for options in self._terms.values() for words in options for w in words) - FUNCTION_WORDS

    # -- choosing replacements -------------------------------------------------------

    def _pos_of(self, previous: str | None, word: str) -> str:
        if previous in DETERMINERS:
            return "n"
        if previous in VERB_CUES:
            return "v"
        lemmas = lemminflect.getAllLemmas(word.lower())
        for upos, pos in (("NOUN", "n"), ("VERB", "v"), ("ADJ", "a"), ("ADV", "r")):
            if upos in lemmas:
                return pos
        return "n"

    def _replacement(self, word: str, pos: str, rng: random.Random, allow_kinds: set[str]) -> tuple[str, str] | None:
        """(replacement, kind) for one word, or None when it has no usable synonym."""
        lower = word.lower()
        lemma = lemma_key(lower)
        if "real" in allow_kinds and lemma in self.real.words and rng.random() < self.config.real_share:
            swap = self.real.draw(lemma, rng)
            if swap != lemma:
                return carry_over(swap, word), "real"
        if "register" in allow_kinds and lower in REGISTER_SWAPS and rng.random() < self.config.register_rate:
            return carry_over(REGISTER_SWAPS[lower], word), "register"
        entry = self.thesaurus.entries.get(lemma) or self.thesaurus.entries.get(lower)
        if not entry:
            return None
        kind = "synonym"
        typed = [p for p in ("n", "v", "a", "r") if p in entry]
        if "pos_slip" in allow_kinds and rng.random() < self.config.slip_rate and [p for p in typed if p != pos]:
            source = entry[rng.choice([p for p in typed if p != pos])]
            kind = "pos_slip"
        elif pos in entry and (rng.random() < self.config.typed_share or "?" not in entry):
            source = entry[pos]
        elif "?" in entry:
            source = entry["?"]
        else:
            source = entry[rng.choice(typed)]
        forms = {lower, lemma}
        choices = [s for s in source[: self.config.top_k] if s not in forms and lemma_key(s.split()[-1]) != lemma]
        if not choices:
            return None
        synonym = rng.choice(choices)
        return carry_over(synonym, word), kind

    # -- spinning --------------------------------------------------------------------

    def spin(self, text: str, seed: int = 0, rate: float | None = None) -> SpinResult:
        rng = random.Random(seed)
        rate = self.config.rate if rate is None else rate
        kinds = set(self.config.kinds)
        tokens = [(m.start(), m.end(), m.group()) for m in TOKEN.finditer(text)]
        edits: list[tuple[int, int, str, str]] = []  # (start, end, replacement, kind) on the input
        i = 0
        while i < len(tokens):
            start, end, word = tokens[i]
            previous = tokens[i - 1][2].lower() if i else None
            sentence_start = i == 0 or bool(re.search(r"[.!?:]\s*[\"“‘(]?\s*$", text[tokens[i - 1][1] : start]))
            real = self._term_at(text, tokens, i, self._real_terms) if "real" in kinds else None
            if real and rng.random() < self.config.real_term_rate * min(1.0, rate * 2.5):
                first, last = tokens[i][0], tokens[i + len(real) - 1][1]
                edits.append((first, last, carry_over(rng.choice(self.real.terms[real]), text[first:last]), "real"))
                i += len(real)
                continue
            term = self._term_at(text, tokens, i, self._terms) if "phrase" in kinds else None
            if term and rng.random() < self.config.phrase_rate * min(1.0, rate * 2.5):
                edit = self._spin_term(text, tokens, i, len(term), rng, kinds)
                if edit:
                    edits.append(edit)
                    i += len(term)
                    continue
            boost = self.config.real_boost if "real" in kinds and lemma_key(word.lower()) in self.real.words else 1.0
            if not self._eligible(word, sentence_start) or rng.random() >= rate * boost:
                i += 1
                continue
            if "-" in word:
                if "compound" in kinds:
                    edit = self._spin_compound(start, end, word, rng, kinds)
                    if edit:
                        edits.append(edit)
                i += 1
                continue
            found = self._replacement(word, self._pos_of(previous, word), rng, kinds)
            if found:
                replacement, kind = found
                edits.append(self._with_article(text, tokens, i, start, end, replacement, kind, kinds))
            i += 1
        return self._apply(text, edits)

    def _eligible(self, word: str, sentence_start: bool) -> bool:
        lower = word.lower()
        if len(word) < 3 or lower in FUNCTION_WORDS or "'" in word or "’" in word:
            return False
        if word.isupper():
            return False  # acronyms
        if word[0].isupper() and not sentence_start:
            return lower in self._title_words  # other capitalised words are proper nouns
        return True

    @staticmethod
    def _term_at(text: str, tokens: list, i: int, terms: dict[str, list[tuple[str, ...]]]) -> tuple[str, ...] | None:
        """The longest of `terms` (by first word) whose words stand at token i, one space apart."""
        first = lemmas(tokens[i][2])
        for words in (w for key in first for w in terms.get(key, ())):
            n = len(words)
            if i + n > len(tokens):
                continue
            if all(words[j] in lemmas(tokens[i + j][2]) for j in range(n)) and all(
                text[tokens[i + j][1] : tokens[i + j + 1][0]] == " " for j in range(n - 1)
            ):
                return words
        return None

    def _spin_term(self, text, tokens, i, n, rng, kinds):
        """Spin a lexicon term word by word; the span runs from its first to its last changed word."""
        changed = []
        previous = tokens[i - 1][2].lower() if i else None
        for w_start, w_end, word in tokens[i : i + n]:
            found = None
            if word.lower() not in FUNCTION_WORDS:
                if "-" in word:
                    compound = self._spin_compound(w_start, w_end, word, rng, kinds)
                    found = (compound[2], "phrase") if compound else None
                else:
                    found = self._replacement(word, self._pos_of(previous, word), rng, kinds - {"register"})
            if found:
                changed.append((w_start, w_end, found[0]))
            previous = word.lower()
        if not changed:
            return None
        pieces, pos = [], changed[0][0]
        for w_start, w_end, replacement in changed:
            pieces += [text[pos:w_start], replacement]
            pos = w_end
        return changed[0][0], changed[-1][1], "".join(pieces), "phrase"

    def _spin_compound(self, start, end, word, rng, kinds):
        parts = word.split("-")
        swapped = []
        for part in parts:
            found = self._replacement(part, self._pos_of(None, part), rng, kinds - {"register", "pos_slip"})
            swapped.append(found[0] if found else part)
        if swapped == parts:
            return None
        return start, end, " ".join(swapped), "compound"

    def _with_article(self, text, tokens, i, start, end, replacement, kind, kinds):
        """Leave a preceding a/an as it was; when it no longer fits, label the slip with the article."""
        if i and tokens[i - 1][2].lower() in ("a", "an") and text[tokens[i - 1][1] : start] == " " and "agreement" in kinds:
            article_wants_vowel = tokens[i - 1][2].lower() == "an"
            if _starts_with_vowel_sound(replacement) != article_wants_vowel:
                article_start = tokens[i - 1][0]
                return article_start, end, text[article_start:start] + replacement, "agreement"
        return start, end, replacement, kind

    @staticmethod
    def _apply(text: str, edits: list[tuple[int, int, str, str]]) -> SpinResult:
        out, spans, pos, shift = [], [], 0, 0
        for start, end, replacement, kind in sorted(edits):
            if start < pos or replacement == text[start:end]:
                continue
            out.append(text[pos:start])
            new_start = start + shift
            out.append(replacement)
            spans.append(SpinSpan(new_start, new_start + len(replacement), text[start:end], kind))
            shift += len(replacement) - (end - start)
            pos = end
        out.append(text[pos:])
        return SpinResult("".join(out), spans)

