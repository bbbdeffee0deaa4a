"""Input is checked at the edge, before a run exists, so a run never starts on bad data.

Oversized files would fail a workflow task (payloads over 2 MB) long after the person
who sent them has gone; malformed ones would fail deep inside an activity. Both are
refused here, with the field named.
"""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from adapters.mail.inbound_mail import MAX_RAW_BYTES, parse_email
from client.errors import InputError, validated
from client.options import outreach_options
from config.settings import OutreachSettings
from models.lead import LeadSubmission
from models.outreach import OutreachInput, check_timezone
from models.support import InboundEmail

MAX_INPUT_BYTES = 64_000


def read_file(path: Path, limit: int) -> bytes:
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise InputError(f"cannot read {path}: {err.strerror}") from err
    if len(raw) > limit:
        raise InputError(f"{path} is {len(raw)} bytes; the limit is {limit}")
    return raw


def read_json_file(path: Path) -> dict[str, Any]:
    """A file nested deeper than the parser's recursion limit (a few kilobytes of `[`)
    is refused like any other broken JSON, not raised as a crash."""
    try:
        data = json.loads(read_file(path, MAX_INPUT_BYTES))
    except ValueError as err:
        raise InputError(f"{path} is not valid JSON: {err}") from err
    except RecursionError:
        raise InputError(f"{path} is not valid JSON: nested too deeply") from None
    if not isinstance(data, dict):
        raise InputError(f"{path} must hold one JSON object")
    return data


def parse_lead(fields: dict[str, Any]) -> LeadSubmission:
    """Validate a lead; `submitted_at` defaults to now so plain flags are enough."""
    return validated(
        LeadSubmission, {"submitted_at": datetime.now(UTC).isoformat(), **fields}, "lead"
    )


def parse_outreach(fields: dict[str, Any], settings: OutreachSettings) -> OutreachInput:
    """A lead plus an optional `timezone` key (IANA name) for its business hours."""
    timezone = fields.pop("timezone", None)
    if timezone is not None:
        try:
            check_timezone(str(timezone))
        except ValueError as err:
            raise InputError(f"invalid outreach:\n  timezone: {err}") from err
    return OutreachInput(lead=parse_lead(fields), options=outreach_options(settings, timezone))


def parse_message(raw: bytes) -> InboundEmail:
    """A support email as the mail doors read it: an RFC 822 message."""
    return parse_email(raw)


def parse_ticket(
    eml: Path | None, sender: str | None, subject: str | None, body: str | None
) -> InboundEmail:
    """A support email from an RFC 822 file, or from its parts, never both."""
    if eml:
        if sender or subject or body:
            raise InputError("give either --eml or --from/--subject/--body, not both")
        return parse_message(read_file(eml, MAX_RAW_BYTES))
    if not sender:
        raise InputError("--from (or --eml) is required")
    return validated(
        InboundEmail, {"sender": sender, "subject": subject or "", "body": body or ""}, "email"
    )
