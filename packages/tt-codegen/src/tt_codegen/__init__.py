"""tt_codegen."""

from tt_codegen._version import __version__

__all__ = ["__version__"]
