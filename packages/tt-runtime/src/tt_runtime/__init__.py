"""tt_runtime."""

from tt_runtime._version import __version__

__all__ = ["__version__"]
