"""Words the check path and the spinner share: the function words no spinner swaps and no
suggestion offers as a content word."""

from __future__ import annotations

FUNCTION_WORDS = frozenset(
    "a an the and or but nor so yet of to in on at by for with from as into onto upon over under about above below "
    "after before since until while if than that this these those there here it its he she they we you i me him her "
    "them us his their our your my mine who whom whose which what when where why how not no is are was were be been "
    "being am has have had do does did will would shall should can could may might must also just very too only then "
    "mr mrs ms said says say".split()
)
