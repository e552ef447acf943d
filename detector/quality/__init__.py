"""Text-quality rules beside spin (homoglyphs, mojibake, junk, fused paragraphs, ...).

Each rule lives in its own module with a docstring giving its rationale.
"""

from __future__ import annotations

QUALITY_RULES: list = []
