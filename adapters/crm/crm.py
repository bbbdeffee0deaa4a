"""The CRM: contacts plus an activity timeline, the message log (Message-ID -> run), the
suppression list (`adapters.crm.crm_mail`), and the counters of the limits every worker
sharing the CRM shares (auto-replies, LLM tokens per minute).

Two backends behind one protocol, chosen by `FLOWDESK_CRM_URL` (`config.crm`): this
module's SQLite file, the embedded default for one machine, and PostgreSQL
(`adapters.crm.crm_postgres`) for workers on several. Writes are idempotent: contacts
upsert by normalised email, every timeline entry carries a unique key (workflow id +
step) and every logged message its Message-ID, so a retried activity or a replayed
workflow never duplicates anything.
"""

import asyncio
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

from adapters.crm import crm_contacts, crm_mail, crm_suppressions, crm_tokens
from models.lead import CompanyProfile, ContactRef, LeadSubmission
from models.limits import AutoReplyLimits, LlmRate
from models.threads import (
    MessageRecord,
    Process,
    RunRef,
    Suppression,
    SuppressionChange,
    SuppressionEntry,
    SuppressionReason,
    ThreadEntry,
)

T = TypeVar("T")
BUSY_TIMEOUT_S = 10
"""How long a write waits for another process's write transaction before it fails
(retryably: the activity's retry policy takes over)."""


class Crm(Protocol):
    async def upsert_contact(
        self, lead: LeadSubmission, profile: CompanyProfile, event_key: str
    ) -> ContactRef: ...

    async def set_score(self, contact_id: int, points: int, tier: str) -> None: ...

    async def add_event(
        self, contact_id: int, event_key: str, kind: str, detail: dict[str, Any]
    ) -> bool: ...

    async def record_message(self, record: MessageRecord) -> bool:
        """False when the Message-ID is already logged: the first run to log it keeps it,
        so a retried send or a redelivered message changes nothing."""

    async def find_run(self, message_ids: list[str]) -> RunRef | None:
        """The run of the last logged id in the list, in or out: `References` runs oldest
        first, so the message actually answered decides."""

    async def runs_to(self, address: str, process: Process) -> list[str]:
        """Runs that sent `process` mail to the address, newest first, each once: the
        fallback for answers whose client dropped `In-Reply-To`."""

    async def sent_to(self, message_ids: list[str]) -> list[str]:
        """The addresses we sent the listed messages to (notices aside), each once: what a
        delivery report must cite before it may suppress anyone."""

    async def address_of(self, workflow_id: str) -> str | None:
        """Where the run's first message went (a notice to on-call aside): the address a
        one-click link minted for the run unsubscribes."""

    async def thread(self, workflow_id: str, limit: int) -> list[ThreadEntry]:
        """The newest `limit` messages of the run's conversation, oldest first, as a
        reader (and the agent) reads a thread."""

    async def suppress(self, suppression: Suppression) -> bool:
        """True when newly listed; an address already listed keeps its first reason, so
        the list says why mail first stopped."""

    async def suppression(self, address: str) -> SuppressionReason | None: ...

    async def suppressions(self, address: str | None, limit: int) -> list[SuppressionEntry]:
        """The list as a person reviews it, newest first; one address when given."""

    async def unsuppress(self, address: str, reason: str, by: str) -> bool:
        """Takes the address off the list and writes who and why to the audit log, in one
        transaction; False when it was not listed (nothing is written)."""

    async def suppression_changes(self, address: str, limit: int) -> list[SuppressionChange]:
        """The address's audit log, newest first: each time it was listed and taken off."""


class CrmStore(Crm, Protocol):
    """The CRM database as a worker holds it open: the `Crm`, plus the limits' counters,
    so every worker sharing the database counts against the same numbers."""

    async def reserve_auto_reply(
        self,
        send_key: str,
        address: str,
        counts_domain: bool,
        limits: AutoReplyLimits,
        now: datetime,
    ) -> str | None:
        """Count the reply and record it in one transaction, so two workers cannot both
        take the last slot: None when it may go, else the limit it would break (named,
        never the address). A key already recorded may go again: a retry is one reply."""

    async def reserve_tokens(
        self, endpoint: str, tokens: int, rate: LlmRate, clock: Callable[[], float]
    ) -> tuple[int | None, float]:
        """(row, 0) when `tokens` fit in the endpoint's window, else (None, seconds to
        wait); counted and recorded in one transaction, like the replies. The time is
        read once the transaction holds the endpoint, so rows enter in time order and a
        reserver that waited never counts a window another has already trimmed."""

    async def settle_tokens(self, row: int, tokens: int) -> None: ...

    async def close(self) -> None: ...


class SqliteCrm:
    """The CRM in one SQLite file, in WAL mode so readers never wait for the writer.

    An instance holds one connection, reused by every call, and one thread that runs the
    calls in turn: a connection serves one statement at a time, and its calls block. The
    worker builds one instance (`adapters.wiring.open_crm`), so a worker process
    holds one connection; each other process on the machine holds its own, and
    `BEGIN IMMEDIATE` makes their writers wait for each other (up to `BUSY_TIMEOUT_S`).
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(
            crm_contacts.SCHEMA + crm_mail.MAIL_SCHEMA + crm_suppressions.SCHEMA + crm_tokens.SCHEMA
        )
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crm-sqlite")

    async def upsert_contact(
        self, lead: LeadSubmission, profile: CompanyProfile, event_key: str
    ) -> ContactRef:
        return await self._run(crm_contacts.upsert, lead, profile, event_key, _now())

    async def set_score(self, contact_id: int, points: int, tier: str) -> None:
        await self._run(crm_contacts.set_score, contact_id, points, tier, _now())

    async def add_event(
        self, contact_id: int, event_key: str, kind: str, detail: dict[str, Any]
    ) -> bool:
        """Append to the timeline; False when the key was already recorded."""
        return await self._run(
            crm_contacts.insert_event, contact_id, event_key, kind, detail, _now()
        )

    async def record_message(self, record: MessageRecord) -> bool:
        return await self._run(crm_mail.record_message, record, _now())

    async def find_run(self, message_ids: list[str]) -> RunRef | None:
        return await self._run(crm_mail.find_run, message_ids)

    async def runs_to(self, address: str, process: Process) -> list[str]:
        return await self._run(crm_mail.runs_to, address, process)

    async def sent_to(self, message_ids: list[str]) -> list[str]:
        return await self._run(crm_mail.sent_to, message_ids)

    async def address_of(self, workflow_id: str) -> str | None:
        return await self._run(crm_mail.address_of, workflow_id)

    async def thread(self, workflow_id: str, limit: int) -> list[ThreadEntry]:
        return await self._run(crm_mail.thread, workflow_id, limit)

    async def suppress(self, suppression: Suppression) -> bool:
        return await self._run(crm_suppressions.suppress, suppression, _now())

    async def suppression(self, address: str) -> SuppressionReason | None:
        return await self._run(crm_suppressions.suppression, address)

    async def suppressions(self, address: str | None, limit: int) -> list[SuppressionEntry]:
        return await self._run(crm_suppressions.suppressions, address, limit)

    async def unsuppress(self, address: str, reason: str, by: str) -> bool:
        return await self._run(crm_suppressions.unsuppress, address, reason, by, _now())

    async def suppression_changes(self, address: str, limit: int) -> list[SuppressionChange]:
        return await self._run(crm_suppressions.suppression_changes, address, limit)

    async def reserve_auto_reply(
        self,
        send_key: str,
        address: str,
        counts_domain: bool,
        limits: AutoReplyLimits,
        now: datetime,
    ) -> str | None:
        return await self._run(
            crm_mail.reserve_auto_reply, send_key, address, counts_domain, limits, now
        )

    async def reserve_tokens(
        self, endpoint: str, tokens: int, rate: LlmRate, clock: Callable[[], float]
    ) -> tuple[int | None, float]:
        return await self._run(crm_tokens.reserve, endpoint, tokens, rate, clock)

    async def settle_tokens(self, row: int, tokens: int) -> None:
        await self._run(crm_tokens.settle, row, tokens)

    async def close(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._thread, self._db.close)
        self._thread.shutdown()

    async def _run(self, work: Callable[..., T], *args: Any) -> T:
        """`work(connection, *args)` on the connection's thread, off the event loop."""
        return await asyncio.get_running_loop().run_in_executor(self._thread, work, self._db, *args)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
