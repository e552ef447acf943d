"""unspin: find machine-spun phrasing and other text-quality artifacts in articles."""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["check_text", "check_paths", "__version__"]


def __getattr__(name):
    # Keep `import detector` light: the API pulls in readers and tables only when used.
    if name in ("check_text", "check_paths"):
        from detector import api

        return getattr(api, name)
    raise AttributeError(name)
