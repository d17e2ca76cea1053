"""The error tt-codegen raises: tt-ir's `CodegenError` (contracts §1)."""

from tt_ir.errors import CodegenError

__all__ = ["CodegenError"]
