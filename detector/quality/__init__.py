"""Text-quality rules beside spin: artifacts that spinners and scrapers leave and that a
human eye misses. Each rule is its own module with a docstring giving its rationale,
a `RULE` (code, name, severity, summary) and `check(text) -> list[Finding]`.
"""

from __future__ import annotations

from detector.quality import boilerplate, doubled_word, fused_sentence, invisible, junk_suffix, mixed_script, mojibake, stray_entity

RULE_MODULES = (mixed_script, mojibake, junk_suffix, stray_entity, invisible, fused_sentence, boilerplate, doubled_word)
QUALITY_RULES = [module.RULE for module in RULE_MODULES]
