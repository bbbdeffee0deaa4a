"""`python -m devstack up|down|demo`: what `make demo` and `make down` call.

`python -m devstack reply RUN [TEXT]` answers the newest email of an outreach run as the
lead would (`--out-of-office` sends an auto-reply instead); `python -m devstack
unsubscribe-link RUN` prints that email's one-click unsubscribe URL; `python -m devstack
new-key` prints a fresh payload key for `FLOWDESK_PAYLOAD_KEYS`; `python -m devstack
certs DIR --host temporal` writes the compose stack's Temporal certificates
(`devstack.certs`)."""

import argparse
import asyncio
import sys
from pathlib import Path

from config.privacy import new_key
from config.temporal import exit_without_teardown
from devstack import certs, lead_mail, stack
from devstack.demo import run_demo
from devstack.processes import StackError


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack", description=__doc__)
    parser.add_argument(
        "action",
        choices=("up", "down", "demo", "reply", "unsubscribe-link", "new-key", "certs"),
    )
    parser.add_argument(
        "run", nargs="?", help="outreach run id (reply, unsubscribe-link); directory (certs)"
    )
    parser.add_argument("text", nargs="?", default="Thanks, this sounds useful. Can we talk?")
    parser.add_argument("--out-of-office", action="store_true")
    parser.add_argument(
        "--host", action="append", default=[], help="the server certificate's host names"
    )
    args = parser.parse_args()
    action = args.action
    if action in ("reply", "unsubscribe-link") and not args.run:
        parser.error(f"{action} needs the outreach run id")
    if action == "certs" and not (args.run and args.host):
        parser.error("certs needs the directory and at least one --host")
    try:
        if action == "reply":
            subject = lead_mail.answer(args.run, args.text, args.out_of_office)
            print(f"answered {args.run} ({subject!r}); `starter.py status {args.run}` shows it")
        elif action == "unsubscribe-link":
            print(lead_mail.unsubscribe_link(args.run))
        elif action == "new-key":
            print(new_key())
        elif action == "certs":
            issued = certs.issue(Path(args.run), args.host)
            print(f"{'wrote' if issued.created else 'kept'} certificates in {issued.directory}")
        elif action == "down":
            stack.down()
        elif action == "up":
            stack.up()
        else:
            asyncio.run(run_demo(stack.temporal_settings(), stack.privacy_settings()))
    except (StackError, lead_mail.NoEmail, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    exit_without_teardown(main())
