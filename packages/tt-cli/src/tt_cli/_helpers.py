"""Host-side helpers TileLang kernels call while building a kernel (`tilelang.cdiv`,
`tilelang.next_power_of_2`), so a kernel file ports by changing its import."""

from __future__ import annotations


def cdiv(a: int, b: int) -> int:
    """ceil(a / b) of two positive ints; of a runtime size (T.dynamic), the expression."""
    if not all(isinstance(x, int) or hasattr(x, "__index__") for x in (a, b)):
        return (a + b - 1) // b
    return -(-int(a) // int(b))


def next_power_of_2(n: int) -> int:
    """The smallest power of two >= n (1 for n <= 1)."""
    n = int(n)
    return 1 if n <= 1 else 1 << (n - 1).bit_length()


class _Keys(type):
    def __getattr__(cls, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        return "tl." + name[3:].lower() if name.startswith("TL_") else name.lower()


class PassConfigKey(metaclass=_Keys):
    """TileLang's pass-config keys (`tilelang.PassConfigKey.TL_ENABLE_FAST_MATH` ->
    "tl.enable_fast_math"), any name, so `pass_configs={...}` ports unchanged; the
    compiler ignores them (they switch TileLang's GPU passes) and says so once."""
