"""`python -m inbound` runs the SMTP listener for the support address;
`python -m inbound schedule` creates or updates the schedule that polls the IMAP mailbox.

Settings come from the environment (`FLOWDESK_INBOUND_*`, `TEMPORAL_*`,
`FLOWDESK_TRIAGE_*`); invalid ones stop start-up naming the variable, never its value.
"""

import argparse
import asyncio
import logging
import signal
import sys
from email.utils import parseaddr

from client.options import route_options
from client.schedules import SCHEDULE_ID, mailbox_schedule, write_schedule
from config.doors import InboundSettings
from config.loading import load_or_exit, start_logging
from config.privacy import PrivacySettings
from config.settings import AppSettings, TemporalSettings, TriageSettings
from config.temporal import connect, exit_without_teardown
from inbound.smtp import Inbox, listen

log = logging.getLogger("flowdesk.inbound")


async def serve() -> None:
    inbound, temporal, triage, app, privacy = load_or_exit(
        InboundSettings, TemporalSettings, TriageSettings, AppSettings, PrivacySettings
    )
    client = await connect(temporal, privacy)
    reply_address = parseaddr(app.mail_from)[1]
    options = route_options(inbound, triage)
    handler = Inbox(client, temporal.task_queue, options, reply_address, privacy.id_key)
    domain = inbound.support_address.rpartition("@")[2]
    server = await listen(handler, inbound.smtp_host, inbound.smtp_port, hostname=domain)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    log.info(
        "SMTP listener on %s:%d routes mail on task queue %r",
        inbound.smtp_host,
        inbound.smtp_port,
        temporal.task_queue,
    )
    await stop.wait()
    server.close()
    handler.close()
    log.info("SMTP listener stopped")


async def schedule() -> None:
    inbound, temporal, triage, privacy = load_or_exit(
        InboundSettings, TemporalSettings, TriageSettings, PrivacySettings
    )
    if not inbound.imap_host:
        print("FLOWDESK_INBOUND_IMAP_HOST is not set: there is no mailbox to poll", file=sys.stderr)
        raise SystemExit(2)
    client = await connect(temporal, privacy)
    created = await write_schedule(client, mailbox_schedule(inbound, triage, temporal.task_queue))
    print(
        f"schedule {SCHEDULE_ID} {'created' if created else 'updated'}: a mailbox poll every "
        f"{inbound.imap_poll_seconds} s on task queue {temporal.task_queue!r} "
        "(the worker needs FLOWDESK_INBOUND_IMAP_* too)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m inbound",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", nargs="?", choices=["listen", "schedule"], default="listen")
    command = parser.parse_args().command
    start_logging()
    asyncio.run(schedule() if command == "schedule" else serve())
    exit_without_teardown(0)


if __name__ == "__main__":
    main()
