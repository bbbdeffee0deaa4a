"""Long mail folded to what a small model can read, the customer's own words kept whole.

Customers paste logs, stack traces, CSV rows and base64, and reply above whole quoted
threads: the demo's pasted delivery log made one request 4,873 tokens against the
embedded model's 4,096, the endpoint refused it and the ticket reached a person with
neither a classification nor a draft. A run of such lines is folded into a short note
("[412 log lines: first and last 3 kept]"), a quoted earlier message into one line,
a signature into one line; what the customer wrote themselves stays as written.
"""

import re

KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("quoted", re.compile(r"^\s*>")),
    ("stack trace", re.compile(
        r"^\s*(at [\w$.<>/-]+[(:]|File \"[^\"]+\", line \d+|Traceback \(most recent call last\)"
        r"|Caused by:|\.\.\. \d+ more|#\d+ 0x[0-9a-f]+)"
    )),
    ("log", re.compile(
        r"^\s*\[?(\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}|\d{1,2}:\d{2}:\d{2}|\d{1,2}/\d{1,2}/\d{2,4} \d"
        r"|(INFO|WARN|WARNING|ERROR|DEBUG|TRACE|FATAL|CRITICAL)\b"
        r"|(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d{1,2} \d{2}:\d{2})"
    )),
    ("encoded", re.compile(r"^\s*[A-Za-z0-9+/]{40,}={0,2}\s*$")),
    ("table", re.compile(r"^([^,;|\t]*[,;|\t]){3,}[^,;|\t]*$")),
)  # fmt: skip
"""What a pasted line is, checked in this order; a line of the customer's prose is none."""
MIN_RUN = 6
"""A run of fewer such lines stays: a short quote or two log lines are part of the question."""
KEEP = 3
"""Lines kept at each end of a folded log, trace or table: where it starts and how it ends."""
SIGNATURE = re.compile(r"^(-- ?|_{5,}|—{3,}|Sent from my \w+.*)$")
MAX_SIGNATURE_LINES = 12
MAX_LINE = 400
"""A longer single line (minified JSON, a URL with a token) keeps its first 200 characters."""


def kind_of(line: str) -> str | None:
    return next((kind for kind, pattern in KINDS if pattern.search(line)), None)


def _continues(kind: str, line: str) -> bool:
    """The line belongs to the run: of its kind, or (in a stack trace) an indented source
    line or a row of `^` markers between two frames."""
    if kind_of(line) == kind:
        return True
    return kind == "stack trace" and bool(line.strip()) and line[:1] in " \t"


def _folded(kind: str, run: list[str]) -> list[str]:
    if kind == "quoted":
        return [f"[{len(run)} quoted lines of an earlier message]"]
    if kind == "encoded":
        return [f"[{len(run)} lines of encoded data]"]
    note = f"[{len(run)} {kind} lines: first and last {KEEP} kept]"
    return [*run[:KEEP], note, *run[-KEEP:]]


def _signature_cut(lines: list[str]) -> list[str]:
    """A signature (after `-- ` and the like) becomes one line, unless it asks something."""
    for index, line in enumerate(lines):
        rest = lines[index + 1 :]
        if SIGNATURE.match(line.strip()) and 0 < len(rest) <= MAX_SIGNATURE_LINES:
            if not any("?" in r for r in rest):
                return [*lines[:index], f"[signature, {len(rest)} lines]"]
    return lines


def fold(text: str) -> str:
    """`text` with every run of `MIN_RUN` or more pasted lines of one kind folded."""
    lines = [line if len(line) <= MAX_LINE else f"{line[:200]} [... {len(line) - 200} characters cut]"
             for line in text.splitlines()]  # fmt: skip
    out: list[str] = []
    index = 0
    while index < len(lines):
        kind = kind_of(lines[index])
        end = index + 1
        while kind and end < len(lines) and _continues(kind, lines[end]):
            end += 1
        run = lines[index:end]
        out += _folded(kind, run) if kind and len(run) >= MIN_RUN else run
        index = end
    return "\n".join(_signature_cut(out))
