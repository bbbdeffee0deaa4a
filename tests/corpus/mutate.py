"""Seeded mutation of valid examples: the malformed input real senders and real bugs make.

Everything here is a pure function of its seed, so a failing case has a stable label
and reproduces on every machine. Field mutations change one key of a JSON object;
byte mutations damage the serialized text (truncation, bad UTF-8, duplicate keys,
nesting) the way a broken client or a hostile one would.
"""

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ENCODED_WORD_LIST = "=?utf-8?q?postmaster=2Cbilling=2Cvictim=40example=2Eorg?="
"""Decodes to three addresses: a header parser that decodes before splitting mails them all."""
CRLF_INJECTION = "Ada\r\nBcc: victim@example.org"
NASTY_STRINGS: tuple[str, ...] = (
    "",
    "   ",
    "\x00",
    "nul\x00inside",
    "\x1b[31mred\x1b[0m",
    CRLF_INJECTION,
    "line\u2028separator",
    ENCODED_WORD_LIST,
    "=?utf-8?b?YWRhQGV4YW1wbGUub3Jn?=",
    "\u202eevil\u202c",
    "\ufeffbom",
    "💩" * 50,
    "<script>alert(1)</script>",
    "http://evil.example/login",
    "../../etc/passwd",
    "NaN",
    "x" * 70_000,
    "é" * 3000,
)
NASTY_VALUES: tuple[Any, ...] = (
    None,
    True,
    0,
    -1,
    2**64,
    1e308,
    [],
    {},
    ["a", "b"],
    {"nested": {"deeper": [1, 2, {"x": None}]}},
)


@dataclass(frozen=True)
class Mutant:
    label: str
    value: Any


def field_mutants(example: dict[str, Any], seed: int, count: int) -> list[Mutant]:
    """`count` single-key mutations: a nasty string or value, a removal or an extra key."""
    rng = random.Random(seed)
    keys = sorted(example)
    mutants: list[Mutant] = []
    for number in range(count):
        key = rng.choice(keys)
        kind = rng.choice(("string", "string", "value", "drop", "extra", "repeat"))
        changed = dict(example)
        if kind == "string":
            pick = rng.randrange(len(NASTY_STRINGS))
            changed[key] = NASTY_STRINGS[pick]
            what = f"{key}=nasty[{pick}]"
        elif kind == "value":
            pick = rng.randrange(len(NASTY_VALUES))
            changed[key] = NASTY_VALUES[pick]
            what = f"{key}=value[{pick}]"
        elif kind == "drop":
            del changed[key]
            what = f"no {key}"
        elif kind == "extra":
            changed[f"extra_{number}"] = rng.choice(NASTY_STRINGS[:8])
            what = "extra key"
        else:
            changed[key] = str(example[key]) * rng.randint(2, 400)
            what = f"{key} repeated"
        mutants.append(Mutant(f"{seed}/{number}: {what}", changed))
    return mutants


def _truncate(raw: bytes, rng: random.Random) -> tuple[str, bytes]:
    cut = rng.randrange(len(raw))
    return f"cut at {cut}", raw[:cut]


def _bad_utf8(raw: bytes, rng: random.Random) -> tuple[str, bytes]:
    at = rng.randrange(len(raw))
    junk = rng.choice((b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xfe\xff", b"\x80\x80"))
    return f"bad utf-8 at {at}", raw[:at] + junk + raw[at:]


def _flip(raw: bytes, rng: random.Random) -> tuple[str, bytes]:
    at = rng.randrange(len(raw))
    flipped = bytes([raw[at] ^ (1 << rng.randrange(8))])
    return f"byte {at} flipped", raw[:at] + flipped + raw[at + 1 :]


def _control(raw: bytes, rng: random.Random) -> tuple[str, bytes]:
    at = rng.randrange(len(raw))
    char = rng.choice((b"\x00", b"\x07", b"\x1b", b"\r", b"\x0c", b"\x7f"))
    return f"control {char!r} at {at}", raw[:at] + char + raw[at:]


def _duplicate(raw: bytes, rng: random.Random) -> tuple[str, bytes]:
    """A second copy of the object's first member, appended: `{"a": 1, ..., "a": 1}`."""
    head, _, rest = raw.partition(b",")
    first = head.lstrip(b"{ \n")
    return "duplicate first key", b"{" + rest.rstrip(b"} \n") + b", " + first + b"}"


def _nest(raw: bytes, rng: random.Random) -> tuple[str, bytes]:
    depth = rng.choice((50, 1000, 5000, 30_000))
    return f"nested {depth} deep", b"[" * depth + raw + b"]" * depth


BYTE_MUTATORS: tuple[Callable[[bytes, random.Random], tuple[str, bytes]], ...] = (
    _truncate, _bad_utf8, _flip, _control, _duplicate, _nest,
)  # fmt: skip


def byte_mutants(raw: bytes, seed: int, count: int) -> list[Mutant]:
    """`count` damaged copies of `raw`, each by one mutator chosen in turn (all of them
    appear) at a seeded position."""
    rng = random.Random(seed)
    mutants = []
    for number in range(count):
        mutator = BYTE_MUTATORS[number % len(BYTE_MUTATORS)]
        what, damaged = mutator(raw, rng)
        mutants.append(Mutant(f"{seed}/{number}: {what}", damaged))
    return mutants


def json_bytes(value: Any) -> bytes:
    """JSON as a sloppy client writes it: NaN and Infinity allowed, non-ASCII kept raw, a
    lone surrogate passed as bytes rather than refused."""
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


def strings_in(value: Any) -> list[str]:
    """Every string inside a JSON-like value, keys excluded: what a refusal must not echo."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings_in(item)]
    if isinstance(value, list):
        return [s for item in value for s in strings_in(item)]
    return []
