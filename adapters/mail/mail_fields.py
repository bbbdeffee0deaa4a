"""Header fields of inbound mail, read with bounded work whatever the sender wrote.

The standard library's structured header parser slows down quadratically on long values:
a megabyte of encoded words in `From:` or of parameters in a MIME part's `Content-Type`
costs minutes of CPU. Every field, of the message and of each of its parts, is therefore
cut to `MAX_FIELD_CHARS` while the message is read (`bounded_policy`), before anything
parses it; no real field comes near that length (Postfix's own cap is ten times larger
only because it counts whole header blocks). Hundreds of MIME parts with fields just
under that cap would still cost a minute, so the message as a whole has a budget too:
past `MAX_HEADER_CHARS`, every further field is cut to `SPENT_FIELD_CHARS`.
"""

from dataclasses import dataclass, field
from email.message import Message
from email.policy import EmailPolicy

MAX_FIELD_CHARS = 4_000
"""Of one field: ample for twenty addresses or fifty Message-IDs, and bounded work."""
MAX_HEADER_CHARS = 32_000
"""Of all fields of a message and its parts: three times a long chain of `Received:`
lines and signatures."""
SPENT_FIELD_CHARS = 200
"""Of a field read once the budget is spent: a part's type, boundary and file name."""
TAIL_FIELDS = frozenset({"references"})
"""Fields whose newest entries are last: a cut keeps their end, not their start."""
SEPARATORS = (",", " ", "\t")


def cut_field(name: str, value: str, most: int = MAX_FIELD_CHARS) -> str:
    """`value` cut to `most` characters at a separator, so a list never ends in half an
    address or half an id."""
    if len(value) <= most:
        return value
    if name.lower() in TAIL_FIELDS:
        tail = value[-most:]
        starts = [i for i in (tail.find(s) for s in SEPARATORS) if i >= 0]
        return tail[min(starts) + 1 :] if starts else tail
    head = value[:most]
    for separator in SEPARATORS:
        at = head.rfind(separator)
        if at > 0:
            return head[:at]
    return head


@dataclass
class FieldBudget:
    """What one message's fields have used of `MAX_HEADER_CHARS`, and which were cut."""

    spent: int = 0
    cut: list[str] = field(default_factory=list)

    def allow(self) -> int:
        return max(SPENT_FIELD_CHARS, min(MAX_FIELD_CHARS, MAX_HEADER_CHARS - self.spent))


class BoundedPolicy(EmailPolicy):
    """`email.policy.default`, but each field is cut as it is read; with a `budget` (one
    per message) the fields share `MAX_HEADER_CHARS` and the cut ones are named."""

    budget: FieldBudget | None = None

    def header_source_parse(self, sourcelines: list[str]) -> tuple[str, str]:
        name, value = super().header_source_parse(sourcelines)
        if self.budget is None:
            return name, cut_field(name, value)
        bounded = cut_field(name, value, self.budget.allow())
        self.budget.spent += len(bounded)
        if bounded is not value:
            self.budget.cut.append(name)
        return name, bounded


READER = BoundedPolicy()


def bounded_policy() -> BoundedPolicy:
    """A fresh policy with a fresh budget, for one message."""
    return BoundedPolicy(budget=FieldBudget())


def field_values(message: Message, name: str) -> list[str]:
    """Every value of a field as text, cut as `cut_field` cuts; the raw text when the
    standard library cannot parse one (a malformed `Message-ID: <` makes it raise)."""
    values = []
    for key, raw in message.raw_items():
        if key.lower() != name.lower():
            continue
        text = cut_field(key, str(raw))
        try:
            values.append(str(READER.header_fetch_parse(key, text)))
        except Exception:  # noqa: BLE001 (any parser failure: the raw text is what we have)
            values.append(text)
    return values


def first_value(message: Message, name: str) -> str:
    values = field_values(message, name)
    return values[0] if values else ""
