"""tt_passes."""

from tt_passes._version import __version__

__all__ = ["__version__"]
