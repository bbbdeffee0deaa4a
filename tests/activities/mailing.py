"""The postbox the activity tests send through: the real CRM and a real Maildir, laid out
as `AppSettings` lays them out under a data directory, so a test reads back what a
person would find there."""

from pathlib import Path

from activities.postbox import Postbox
from adapters.crm.crm import SqliteCrm
from adapters.mail.mail import MaildirTransport
from adapters.mail.unsubscribe_links import UnsubscribeLinks

SENDER = "Flowdesk <hello@flowdesk.example>"
LINKS = UnsubscribeLinks(
    b"a test secret of 32 bytes or more", "https://flowdesk.test", "unsubscribe@flowdesk.example"
)


def maildir_postbox(data: Path, sender: str = SENDER, links: UnsubscribeLinks = LINKS) -> Postbox:
    return Postbox(
        MaildirTransport(data / "outbox", sender), SqliteCrm(data / "crm.sqlite3"), links
    )
