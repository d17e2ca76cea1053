"""tt_ir."""

from tt_ir._version import __version__

__all__ = ["__version__"]
