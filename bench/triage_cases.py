"""Labelled triage cases, and each case as the raw mail the product would receive.

The evaluation feeds `to_rfc822(case)` to the product's own parser rather than building
an `InboundEmail` by hand, so HTML-only mail, display names and automatic-mail headers
reach the workflow the way they would from a real mailbox.
"""

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from models.agent_output import Topic

SUPPORT_ADDRESS = "support@flowdesk.example"
MESSAGE_ID_DOMAIN = "eval.flowdesk.example"
# One fixed arrival time, so business-hours rules and dates in replies repeat run to run.
RECEIVED_AT = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


class CaseEmail(BaseModel):
    """Unknown keys are refused: a misspelt `html` would otherwise turn a case into empty mail."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    sender: str = Field(alias="from")
    subject: str = ""
    body: str = ""
    html: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)


class Case(BaseModel):
    """Keys the evaluation does not read are ignored, so case files can carry their own notes."""

    model_config = ConfigDict(extra="ignore")

    id: str
    email: CaseEmail
    expected_topic: Topic
    answerable: bool
    must_escalate: bool
    expected_article_ids: list[str] = Field(default_factory=list)
    notes: str = ""


def load_cases(path: Path) -> list[Case]:
    """Stops at the first bad line with `file:line:` so an editor can jump straight to it."""
    cases: list[Case] = []
    first_line: dict[str, int] = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            case = Case.model_validate_json(line)
        except ValidationError as err:
            raise SystemExit(f"{path}:{number}: {err}") from None
        if case.id in first_line:
            raise SystemExit(
                f"{path}:{number}: duplicate id {case.id!r} (first on line {first_line[case.id]})"
            )
        first_line[case.id] = number
        cases.append(case)
    return cases


def to_rfc822(case: Case) -> bytes:
    """A case's own headers are applied last, so a case can override Date or Message-ID."""
    email = case.email
    message = EmailMessage()
    message["From"] = email.sender
    message["To"] = SUPPORT_ADDRESS
    message["Subject"] = email.subject
    message["Message-ID"] = f"<{case.id}@{MESSAGE_ID_DOMAIN}>"
    message["Date"] = format_datetime(RECEIVED_AT)
    for name, value in email.headers.items():
        del message[name]
        message[name] = value
    if email.html and email.body:
        message.set_content(email.body)
        message.add_alternative(email.html, subtype="html")
    elif email.html:
        message.set_content(email.html, subtype="html")
    else:
        message.set_content(email.body)
    return message.as_bytes()


def safe_answerable(case: Case) -> bool:
    """The only cases where sending without a person is the right outcome."""
    return case.answerable and not case.must_escalate
