"""Host-side helpers TileLang kernels call while building a kernel (`tilelang.cdiv`,
`tilelang.next_power_of_2`), so a kernel file ports by changing its import."""

from __future__ import annotations


def cdiv(a: int, b: int) -> int:
    """ceil(a / b) of two positive ints."""
    return -(-int(a) // int(b))


def next_power_of_2(n: int) -> int:
    """The smallest power of two >= n (1 for n <= 1)."""
    n = int(n)
    return 1 if n <= 1 else 1 << (n - 1).bit_length()
