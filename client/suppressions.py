"""The suppression list as a person reviews and corrects it: which addresses no run may
email, why and since when, what happened to one address, and taking one off (a bounce
that was a full mailbox, an unsubscribe the person took back).

A removal needs a reason and a name: both go to the list's audit log in the CRM, in
the same transaction as the removal, so the log says who took an address off and why.
The command line opens the CRM the workers write (`opened`: the SQLite file in the data
dir, or PostgreSQL when `FLOWDESK_CRM_URL` is set); the inbox holds one open.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from adapters.crm.crm import Crm, CrmStore
from adapters.wiring import open_crm
from client.errors import InputError
from config.crm import CrmSettings
from config.settings import AppSettings
from models.common import MAX_ADDRESS_CHARS
from models.threads import MAX_REMOVAL_REASON, SuppressionChange, SuppressionEntry
from workflows.runtime.review import MAX_REVIEWER

MOST_SHOWN = 50
MOST_CHANGES = 20


@dataclass(frozen=True)
class AddressRecord:
    """One address: its entry while it is listed, and its audit log, newest first."""

    address: str
    entry: SuppressionEntry | None
    changes: list[SuppressionChange]


@asynccontextmanager
async def opened(app: AppSettings, crm: CrmSettings) -> AsyncIterator[CrmStore]:
    store = await open_crm(app, crm)
    try:
        yield store
    finally:
        await store.close()


async def listed(store: Crm, limit: int = MOST_SHOWN) -> list[SuppressionEntry]:
    """The newest `limit` entries."""
    return await store.suppressions(None, limit)


async def record(store: Crm, address: str) -> AddressRecord:
    address = _address(address)
    entries = await store.suppressions(address, 1)
    changes = await store.suppression_changes(address, MOST_CHANGES)
    return AddressRecord(address, entries[0] if entries else None, changes)


async def take_off(store: Crm, address: str, reason: str, by: str) -> bool:
    """False when the address was not on the list. Later mail to it may go again; runs
    that already ended because of it stay ended."""
    reason, by = reason.strip(), by.strip()
    if not reason:
        raise InputError("reason: say why the address may be mailed again")
    for field, value, most in (("reason", reason, MAX_REMOVAL_REASON), ("by", by, MAX_REVIEWER)):
        if len(value) > most:
            raise InputError(f"{field}: {len(value)} characters; the limit is {most}")
    if not by:
        raise InputError("by: name who takes the address off")
    return await store.unsuppress(_address(address), reason, by)


def _address(address: str) -> str:
    if not 0 < len(address.strip()) <= MAX_ADDRESS_CHARS:
        raise InputError(f"address: 1 to {MAX_ADDRESS_CHARS} characters")
    return address.strip()


async def report(store: Crm, address: str | None) -> str:
    """The list (newest first), or one address and its audit log, as lines to read."""
    if address is None:
        entries = await listed(store)
        capped = f" (the newest {MOST_SHOWN})" if len(entries) >= MOST_SHOWN else ""
        return "\n".join([*map(_entry, entries), f"{len(entries)} address(es){capped}"])
    found = await record(store, address)
    lines = [_entry(found.entry) if found.entry else f"{address}: not on the list"]
    return "\n".join([*lines, *map(_change, found.changes)])


def _entry(entry: SuppressionEntry) -> str:
    return f"{entry.address}  {entry.reason}  {entry.at:%Y-%m-%d %H:%M} UTC  ({entry.source})"


def _change(change: SuppressionChange) -> str:
    return f"  {change.at:%Y-%m-%d %H:%M} UTC  {change.change}: {change.reason} (by {change.actor})"
