"""Value checks shared by the schema objects; each failure is a `SchemaError`.

Every check takes the owner (``"CircularBuffer"``) and the field (``"index"``) so that
the message reads ``"CircularBuffer.index: 40 is out of range (0..63)"`` and the error
knows which field it is about. `at` and `reading` turn those field names into JSON
paths while a document is read.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from tt_ir.errors import SchemaError

UINT32_MAX = (1 << 32) - 1
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def choices(values: Iterable[Any]) -> str:
    """Join allowed values for a message: ``"LoFi, HiFi2, HiFi3, HiFi4"``."""
    return ", ".join(str(value) for value in values)


def fail(owner: str, name: str, detail: str, field: str | None = None) -> SchemaError:
    """Build the error for a bad field: ``"<owner>.<name>: <detail>"``.

    Args:
        owner: The schema object (``"CircularBuffer"``).
        name: The field as named in the message (``"index"``).
        detail: The bad value and what is allowed.
        field: The field's path relative to the object being checked, when it differs
            from ``name`` (``"circular_buffers[2].index"``).
    """
    return SchemaError(f"{owner}.{name}: {detail}", field=field or name)


def join_field(part: str, field: str | None) -> str:
    """Prefix a relative field path with the containing part (``"kernels[0]"``)."""
    if not field:
        return part
    if field.startswith("["):
        return f"{part}{field}"
    return f"{part}.{field}"


def json_path(field: str | None) -> str:
    """The JSON path of a field relative to the document root (``"$.work.cores[3]"``)."""
    if not field:
        return "$"
    return join_field("$", field)


@contextmanager
def at(part: str) -> Iterator[None]:
    """Prefix the field of any `SchemaError` raised inside with ``part``."""
    try:
        yield
    except SchemaError as error:
        field = join_field(part, error.field)
        path = None if error.path is None else json_path(field)
        raise SchemaError(error.message, field=field, path=path) from None


@contextmanager
def reading() -> Iterator[None]:
    """Give any `SchemaError` raised inside the JSON path of its field."""
    try:
        yield
    except SchemaError as error:
        path = json_path(error.field)
        raise SchemaError(error.message, field=error.field, path=path) from None


def _type_name(value: Any) -> str:
    return type(value).__name__


def check_int(
    owner: str, field: str, value: Any, low: int | None = None, high: int | None = None
) -> int:
    """Return ``value`` as an int within ``low..high`` (inclusive; None: unbounded)."""
    if isinstance(value, bool):
        raise fail(owner, field, f"expected an integer, got {value!r}")
    try:
        number = operator.index(value)
    except TypeError:
        raise fail(
            owner, field, f"expected an integer, got {value!r} ({_type_name(value)})"
        ) from None
    if low is not None and high is not None and not low <= number <= high:
        raise fail(owner, field, f"{number} is out of range ({low}..{high})")
    if low is not None and number < low:
        raise fail(owner, field, f"{number} must be >= {low}")
    if high is not None and number > high:
        raise fail(owner, field, f"{number} must be <= {high}")
    return number


def check_uint32(owner: str, field: str, value: Any) -> int:
    """Return ``value`` as an int that fits a ``uint32_t``."""
    return check_int(owner, field, value, 0, UINT32_MAX)


def check_bool(owner: str, field: str, value: Any) -> bool:
    """Return ``value`` if it is a bool (``0``/``1`` are not accepted)."""
    if not isinstance(value, bool):
        raise fail(owner, field, f"expected true or false, got {value!r}")
    return value


def check_str(owner: str, field: str, value: Any) -> str:
    """Return ``value`` if it is a non-empty string."""
    if not isinstance(value, str):
        raise fail(
            owner, field, f"expected a string, got {value!r} ({_type_name(value)})"
        )
    if not value:
        raise fail(owner, field, "must not be empty")
    return value


def check_identifier(owner: str, field: str, value: Any) -> str:
    """Return ``value`` if it is a C identifier (it is printed into C++)."""
    text = check_str(owner, field, value)
    if not _IDENTIFIER.match(text):
        raise fail(
            owner, field, f"{text!r} is not a C identifier ([A-Za-z_][A-Za-z0-9_]*)"
        )
    return text


def check_one_of(owner: str, field: str, value: Any, allowed: Iterable[Any]) -> Any:
    """Return ``value`` if it is one of ``allowed``; the message lists them."""
    allowed = tuple(allowed)
    if isinstance(value, bool) or value not in allowed:
        raise fail(owner, field, f"{value!r} is not one of {choices(allowed)}")
    return value


def check_ints(
    owner: str,
    field: str,
    value: Any,
    *,
    length: int | None = None,
    low: int | None = None,
    high: int | None = None,
) -> tuple[int, ...]:
    """Return a list of ints as a tuple; each item within ``low..high``."""
    if isinstance(value, (str, bytes, dict)) or not isinstance(value, Iterable):
        raise fail(owner, field, f"expected a list of integers, got {value!r}")
    items = tuple(value)
    if length is not None and len(items) != length:
        raise fail(owner, field, f"{list(items)!r} must have {length} entries")
    return tuple(
        check_int(owner, f"{field}[{i}]", item, low, high)
        for i, item in enumerate(items)
    )


def check_instance(owner: str, field: str, value: Any, cls: type) -> Any:
    """Return ``value`` if it is a ``cls`` (use ``cls.from_json`` for a dict)."""
    if not isinstance(value, cls):
        raise fail(owner, field, f"expected a {cls.__name__}, got {_type_name(value)}")
    return value


def check_items(owner: str, field: str, value: Any, cls: type) -> tuple:
    """Return a list of ``cls`` instances as a tuple."""
    if isinstance(value, (str, bytes, dict)) or not isinstance(value, Iterable):
        raise fail(owner, field, f"expected a list of {cls.__name__}, got {value!r}")
    items = tuple(value)
    for i, item in enumerate(items):
        check_instance(owner, f"{field}[{i}]", item, cls)
    return items


def read_fields(owner: str, data: Any, names: Iterable[str]) -> dict[str, Any]:
    """Check that a JSON object has exactly the fields ``names`` and return it.

    Args:
        owner: The schema object being read, for messages.
        data: The decoded JSON value.
        names: The field names, all required.

    Returns:
        ``data`` as a dict.

    Raises:
        SchemaError: ``data`` is not an object, or a field is missing or unknown.
    """
    names = tuple(names)
    if not isinstance(data, dict):
        raise SchemaError(f"{owner}: expected a JSON object, got {data!r}")
    for name in names:
        if name not in data:
            raise SchemaError(
                f"{owner}: missing field '{name}'; fields are {choices(names)}",
                field=name,
            )
    for name in data:
        if name not in names:
            raise SchemaError(
                f"{owner}: unknown field '{name}'; fields are {choices(names)}",
                field=str(name),
            )
    return data


def list_from_json(owner: str, field: str, data: Any, cls: type) -> tuple:
    """Read a JSON list of ``cls`` objects, locating errors at ``field[i]``."""
    if not isinstance(data, list):
        raise fail(owner, field, f"expected a JSON list, got {data!r}")
    items = []
    for i, item in enumerate(data):
        with at(f"{field}[{i}]"):
            items.append(cls.from_json(item))
    return tuple(items)


def object_from_json(cls: type, field: str, data: Any) -> Any:
    """Read a JSON object of type ``cls``, locating errors at ``field``."""
    with at(field):
        return cls.from_json(data)


def set_field(obj: Any, name: str, value: Any) -> None:
    """Store a normalised value on a frozen dataclass during ``__post_init__``."""
    object.__setattr__(obj, name, value)


def unique(
    owner: str, field: str, values: Iterable[Any], key: str | None = None
) -> None:
    """Fail on the first repeated value, naming its position.

    Args:
        owner: The schema object, for the message.
        field: The list field (``"circular_buffers"``).
        values: One value per list entry.
        key: The entry's field the values come from (``"index"``), or None for the
            entries themselves.
    """
    seen: dict[Any, int] = {}
    for i, value in enumerate(values):
        where = f"{field}[{i}]" if key is None else f"{field}[{i}].{key}"
        if value in seen:
            shown = repr(value) if isinstance(value, str) else str(value)
            detail = f"{shown} repeats {field}[{seen[value]}]; must be unique"
            raise fail(owner, where, detail)
        seen[value] = i
