"""The stack the loop tests run: the SMTP listener, the mail router, outreach and support
triage on the time-skipping server, with the real CRM, message log, suppression list,
postbox and Maildir outbox; only the LLM steps (research, drafts, triage agents) and
intake are fakes."""

import asyncio
import smtplib
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, closing
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import httpx
from pydantic import SecretStr
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.mail_routing import MailRoutingActivities
from activities.outreach import OutreachActivities, ResearchLimits
from activities.postbox import Postbox
from activities.support_triage import SupportTriageActivities
from adapters.crm.crm import SqliteCrm
from adapters.mail.mail import MaildirTransport, key_digest
from adapters.mail.unsubscribe_links import UnsubscribeLinks
from config.doors import WebSettings
from config.settings import OutreachSettings, TemporalSettings, TriageSettings
from inbound.smtp import Inbox, listen
from models.routing import RouteOptions
from tests.privacy import ID_KEY, PRIVACY
from tests.web.conftest import activity_name
from tests.workflows.outreach_fakes import FakeOutreach
from tests.workflows.triage_fakes import FakeTriage
from web.app import create_app
from web.state import Doors
from workflows.runtime.plugin import worker_plugin
from workflows.runtime.registry import WORKFLOWS

REPLY_ADDRESS = "hello@flowdesk.example"
OPTIONS = RouteOptions(
    support_address="support@flowdesk.example", unsubscribe_address="unsubscribe@flowdesk.example"
)
REAL = {"send_outreach_email", "record_outreach_event", "send_reply"}


@dataclass
class LoopStack:
    env: WorkflowEnvironment
    task_queue: str
    port: int
    crm: SqliteCrm
    crm_path: Path
    outbox: Path
    http: httpx.AsyncClient
    outreach: FakeOutreach
    triage: FakeTriage

    def sent(self, workflow_id: str, step: str) -> EmailMessage | None:
        """The outbox file of one send (`touch-1`, `reply`), found by its idempotency key."""
        digest = key_digest(f"{workflow_id}/{step}")
        files = [f for sub in ("new", "cur") for f in (self.outbox / sub).glob(f"{digest}*")]
        if not files:
            return None
        return BytesParser(policy=policy.default).parsebytes(files[0].read_bytes())  # type: ignore[return-value]

    def timeline(self, kind: str) -> list[str]:
        """The detail of each CRM timeline entry of `kind`, as stored."""
        with closing(sqlite3.connect(self.crm_path)) as db:
            rows = db.execute("SELECT detail FROM timeline WHERE kind = ?", (kind,)).fetchall()
        return [row[0] for row in rows]

    def files(self) -> int:
        return len(list((self.outbox / "new").iterdir()))

    async def deliver(self, mail: EmailMessage, to: str) -> tuple[int, str]:
        def send() -> tuple[int, str]:
            with smtplib.SMTP("127.0.0.1", self.port, timeout=60) as smtp:
                refused = smtp.send_message(mail, to_addrs=[to])
                assert refused == {}
                return 250, ""

        return await asyncio.to_thread(send)


@asynccontextmanager
async def loop_stack(
    env: WorkflowEnvironment, task_queue: str, root: Path
) -> AsyncIterator[LoopStack]:
    crm = SqliteCrm(root / "crm.sqlite3")
    outbox = root / "outbox"
    transport = MaildirTransport(outbox, f"Flowdesk <{REPLY_ADDRESS}>")
    links = UnsubscribeLinks(b"k" * 32, "http://testserver", OPTIONS.unsubscribe_address)
    postbox = Postbox(transport, crm, links)
    outreach, triage = FakeOutreach(), FakeTriage()
    real = [
        OutreachActivities(None, None, crm, postbox, ResearchLimits(max_pages=1)),  # type: ignore[arg-type]
        SupportTriageActivities(None, None, postbox, None),  # type: ignore[arg-type]
    ]
    chosen = {activity_name(a): a for a in [*outreach.activities(), *triage.activities()]}
    chosen |= {
        activity_name(a): a for r in real for a in r.definitions() if activity_name(a) in REAL
    }
    chosen |= {activity_name(a): a for a in MailRoutingActivities(crm).definitions()}
    doors = Doors(
        WebSettings(session_secret=SecretStr("s" * 32)), TemporalSettings(task_queue=task_queue),
        TriageSettings(), OutreachSettings(), env.client, PRIVACY, links,
    )  # fmt: skip
    inbox = Inbox(env.client, task_queue, OPTIONS, REPLY_ADDRESS, ID_KEY)
    server = await listen(inbox, "127.0.0.1", 0, hostname="flowdesk.example")
    app_transport = httpx.ASGITransport(app=create_app(doors), client=("203.0.113.9", 5555))
    async with (
        Worker(
            env.client, task_queue=task_queue, workflows=WORKFLOWS,
            activities=list(chosen.values()), plugins=[worker_plugin()],
        ),
        httpx.AsyncClient(transport=app_transport, base_url="http://testserver") as http,
    ):  # fmt: skip
        yield LoopStack(
            env,
            task_queue,
            server.sockets[0].getsockname()[1],
            crm,
            root / "crm.sqlite3",
            outbox,
            http,
            outreach,
            triage,
        )
    server.close()
    inbox.close()
