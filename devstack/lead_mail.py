"""What a lead's mail client does with an outreach email of the demo: answer it through
the SMTP listener (as the lead's mail server would deliver the answer), or show the
one-click unsubscribe link from its `List-Unsubscribe` header.

The run's emails are found in the Maildir outbox by name: each file is named after its
idempotency key (`<run>/touch-N`), so the newest touch is a lookup, not a search.
"""

import smtplib
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import make_msgid, parseaddr
from pathlib import Path

from adapters.mail.mail import key_digest
from config.doors import InboundSettings
from config.settings import AppSettings
from devstack.stack import demo_env

MAX_TOUCHES = 20
OUT_OF_OFFICE = "I am out of the office until Monday and will read your message then."


class NoEmail(Exception):
    """The run has sent nothing yet (or the outbox is not the demo's)."""


def outbox() -> Path:
    return AppSettings(data_dir=Path(demo_env()["FLOWDESK_DATA_DIR"])).outbox_dir


def newest_touch(workflow_id: str) -> EmailMessage:
    found: Path | None = None
    for number in range(1, MAX_TOUCHES + 1):
        digest = key_digest(f"{workflow_id}/touch-{number}")
        files = [f for sub in ("new", "cur") for f in (outbox() / sub).glob(f"{digest}*")]
        if not files:
            break
        found = files[0]
    if found is None:
        raise NoEmail(f"{workflow_id} has sent no email yet")
    return BytesParser(policy=policy.default).parsebytes(found.read_bytes())  # type: ignore[return-value]


def answer(workflow_id: str, text: str, out_of_office: bool = False) -> str:
    """Mails the lead's answer to the newest touch to the listener; returns its subject."""
    touch = newest_touch(workflow_id)
    ours, theirs = parseaddr(str(touch["From"]))[1], parseaddr(str(touch["To"]))[1]
    reply = EmailMessage()
    reply["From"], reply["To"] = theirs, ours
    reply["Subject"] = f"Re: {touch['Subject']}"
    reply["Message-ID"] = make_msgid(domain=theirs.rpartition("@")[2])
    reply["In-Reply-To"] = reply["References"] = str(touch["Message-ID"])
    if out_of_office:
        reply["Auto-Submitted"] = "auto-replied"
    quoted = "\n".join(f"> {line}" for line in touch.get_content().splitlines())
    reply.set_content(f"{OUT_OF_OFFICE if out_of_office else text}\n\n{quoted}\n")
    inbound = InboundSettings()
    with smtplib.SMTP(inbound.smtp_host, inbound.smtp_port, timeout=30) as smtp:
        smtp.send_message(reply, from_addr=theirs, to_addrs=[ours])
    return str(reply["Subject"])


def unsubscribe_link(workflow_id: str) -> str:
    """The https URL of the newest touch's `List-Unsubscribe` header."""
    header = str(newest_touch(workflow_id)["List-Unsubscribe"] or "")
    urls = [part.strip(" <>") for part in header.split(",") if "http" in part]
    if not urls:
        raise NoEmail("the email carries no one-click link (FLOWDESK_LINK_SECRET unset?)")
    return urls[0]
