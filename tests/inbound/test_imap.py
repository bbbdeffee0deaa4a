"""The IMAP activities against a loopback IMAP server."""

import ssl
from collections.abc import Iterator

import pytest
import trustme
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.imap import BATCH_PAYLOAD_BYTES, MailboxActivities
from adapters.mail.inbound_mail import MAX_RAW_BYTES
from models.mailbox import MarkSeen
from models.support import MAX_BODY_CHARS
from tests.inbound.imap_server import ImapServer, Mailbox, mail
from tests.privacy import ID_KEY


@pytest.fixture
def imap() -> Iterator[ImapServer]:
    server = ImapServer(Mailbox())
    yield server
    server.close()


def mailbox(server: ImapServer, password: str | None = None, port: int | None = None):
    return MailboxActivities(server.account(password, port), ID_KEY)


async def fetch(server: ImapServer, limit: int):
    return await ActivityEnvironment().run(mailbox(server).fetch_unseen, limit)


async def test_fetch_reads_unseen_mail_parsed_and_leaves_it_unseen(imap: ImapServer):
    box = imap.mailbox
    box.add(mail("already read"), seen=True)
    first, second = box.add(mail("first")), box.add(mail("second"))

    batch = await fetch(imap, 10)

    assert [(m.uid, m.email.subject) for m in batch.messages] == [
        (first, "first"),
        (second, "second"),
    ]
    assert batch.uidvalidity == box.uidvalidity
    assert box.unseen() == [first, second]
    assert "EXAMINE" in box.commands and "SELECT" not in box.commands


async def test_fetch_takes_at_most_the_batch_size(imap: ImapServer):
    uids = [imap.mailbox.add(mail(f"mail {n}")) for n in range(3)]
    assert [m.uid for m in (await fetch(imap, 2)).messages] == uids[:2]


async def test_a_batch_stops_before_the_payload_budget(imap: ImapServer):
    long_body = ("word " * 15 + "\n") * (MAX_BODY_CHARS // 81)
    for n in range(20):
        imap.mailbox.add(mail(f"long {n}", body=long_body))
    batch = await fetch(imap, 20)
    assert 1 <= len(batch.messages) < 20
    assert len(batch.model_dump_json().encode()) <= BATCH_PAYLOAD_BYTES + 100


async def test_an_oversized_message_is_read_cut_and_flagged(imap: ImapServer):
    imap.mailbox.add(mail("huge", body=("y" * 76 + "\n") * (MAX_RAW_BYTES // 70)))
    problem = (await fetch(imap, 1)).messages[0].email.parse_problem
    assert problem is not None and f"only the first {MAX_RAW_BYTES}" in problem


async def test_mark_seen_marks_exactly_the_given_uids(imap: ImapServer):
    box = imap.mailbox
    first, second, third = (box.add(mail(f"mail {n}")) for n in range(3))
    request = MarkSeen(uidvalidity=box.uidvalidity, uids=[first, third])
    assert await ActivityEnvironment().run(mailbox(imap).mark_seen, request) == 2
    assert box.unseen() == [second]


async def test_mark_seen_marks_nothing_when_the_folder_was_rebuilt(imap: ImapServer):
    box = imap.mailbox
    uid = box.add(mail("mail"))
    stale = MarkSeen(uidvalidity=box.uidvalidity - 1, uids=[uid])
    assert await ActivityEnvironment().run(mailbox(imap).mark_seen, stale) == 0
    assert box.unseen() == [uid]


async def test_a_refused_login_is_not_retried(imap: ImapServer):
    with pytest.raises(ApplicationError) as refused:
        await ActivityEnvironment().run(mailbox(imap, password="wrong").fetch_unseen, 5)
    assert refused.value.type == "ImapRefused" and refused.value.non_retryable


async def test_an_unreachable_server_is_retried(imap: ImapServer):
    with pytest.raises(ApplicationError) as unreachable:
        await ActivityEnvironment().run(mailbox(imap, port=1).fetch_unseen, 5)
    assert unreachable.value.type == "Transient" and not unreachable.value.non_retryable


async def test_a_server_with_an_untrusted_certificate_is_refused():
    """IMAPS verifies the server's certificate (imaplib's own default would not)."""
    tls = trustme.CA().issue_cert("127.0.0.1").configure_cert  # a CA nobody trusts
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls(context)
    server = ImapServer(Mailbox(), tls=context)
    try:
        with pytest.raises(ApplicationError) as untrusted:
            await ActivityEnvironment().run(
                MailboxActivities(server.account(), ID_KEY).fetch_unseen, 5
            )
    finally:
        server.close()
    assert untrusted.value.type == "ImapCertificate" and untrusted.value.non_retryable
