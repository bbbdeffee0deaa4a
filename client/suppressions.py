"""The suppression list as a person reviews and corrects it: which addresses no run may
email, why and since when, and taking one off (a bounce that was a full mailbox, an
unsubscribe the person took back).

It reads the CRM the workers write (the SQLite file in the data dir, or PostgreSQL when
`FLOWDESK_CRM_URL` is set), so it needs the same settings as the worker, not Temporal.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from adapters.crm.crm import CrmStore
from adapters.wiring import open_crm
from config.crm import CrmSettings
from config.settings import AppSettings
from models.threads import SuppressionEntry

MOST_SHOWN = 50


@asynccontextmanager
async def _crm(app: AppSettings, crm: CrmSettings) -> AsyncIterator[CrmStore]:
    store = await open_crm(app, crm)
    try:
        yield store
    finally:
        await store.close()


async def listed(
    app: AppSettings, crm: CrmSettings, address: str | None = None, limit: int = MOST_SHOWN
) -> list[SuppressionEntry]:
    async with _crm(app, crm) as store:
        return await store.suppressions(address, limit)


async def take_off(app: AppSettings, crm: CrmSettings, address: str) -> bool:
    """False when the address was not on the list. Later mail to it may go again; runs
    that already ended because of it stay ended."""
    async with _crm(app, crm) as store:
        return await store.unsuppress(address)
