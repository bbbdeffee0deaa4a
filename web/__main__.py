"""`python -m web` serves the web service; `python -m web hash-password` makes a
password hash for FLOWDESK_WEB_USERS (read from standard input, never an argument)."""

import asyncio
import getpass
import logging
import sqlite3
import sys

import asyncpg
import uvicorn

from adapters.crm.crm import CrmStore
from adapters.wiring import open_crm, unsubscribe_links
from config.crm import CrmSettings
from config.doors import InboundSettings, WebSettings
from config.loading import load_or_exit, start_logging
from config.privacy import PrivacySettings
from config.settings import AppSettings, OutreachSettings, TemporalSettings, TriageSettings
from config.temporal import connect
from web.app import create_app
from web.auth import hash_password
from web.state import Doors

log = logging.getLogger("flowdesk.web")


async def serve() -> None:
    web, temporal, triage, outreach, app_settings, inbound, privacy, crm_settings = load_or_exit(
        WebSettings, TemporalSettings, TriageSettings, OutreachSettings, AppSettings,
        InboundSettings, PrivacySettings, CrmSettings,
    )  # fmt: skip
    if not web.users:
        log.warning("no reviewers configured (FLOWDESK_WEB_USERS): the inbox lets nobody in")
    client = await connect(temporal, privacy)
    links = unsubscribe_links(app_settings, web, inbound)
    ended = app_settings.data_dir / "ended_sessions.sqlite3"
    crm = await _crm(app_settings, crm_settings)
    doors = Doors(web, temporal, triage, outreach, client, privacy, links, ended, crm)
    config = uvicorn.Config(
        create_app(doors), host=web.host, port=web.port, log_level="info", access_log=False,
        proxy_headers=False,  # the client address is web.addresses' to decide, not uvicorn's
    )  # fmt: skip
    log.info("web service on %s (inbox %s/review)", web.public_url, web.public_url)
    try:
        await uvicorn.Server(config).serve()
    finally:
        if crm is not None:
            await crm.close()


async def _crm(app: AppSettings, settings: CrmSettings) -> CrmStore | None:
    """The workers' CRM for the suppression list page. A CRM that cannot be opened now
    leaves the other doors up: the page answers 503 until the service restarts."""
    try:
        return await open_crm(app, settings)
    except (OSError, sqlite3.Error, asyncpg.PostgresError) as err:
        log.warning("CRM not available, the suppression list page is off: %s", type(err).__name__)
        return None


def main() -> None:
    if sys.argv[1:] == ["hash-password"]:
        try:
            typed = getpass.getpass("password: ") if sys.stdin.isatty() else sys.stdin.readline()
        except UnicodeDecodeError:
            raise SystemExit("the password is not valid UTF-8") from None
        password = typed.rstrip("\r\n")
        if not password:
            print("no password given; nothing hashed", file=sys.stderr)
            raise SystemExit(2)
        print(hash_password(password))
        return
    start_logging()
    asyncio.run(serve())


if __name__ == "__main__":
    main()
