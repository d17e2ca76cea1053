"""tt_cli."""

from tt_cli._version import __version__

__all__ = ["__version__"]
