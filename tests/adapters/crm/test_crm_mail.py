"""The CRM's message log and suppression list: what the mail router and the postbox ask
of it, on a real SQLite file and a real PostgreSQL alike (`crm_db`)."""

import sqlite3
from pathlib import Path

from adapters.crm.crm import SqliteCrm
from models.threads import MessageRecord, Process, RunRef, Suppression
from tests.crm_fixtures import CrmDatabase


def out(
    message_id: str, workflow_id: str, process: Process = "outreach", **fields
) -> MessageRecord:
    values = {"address": "ada@northwind.example", "subject": "Hello", "body": "Hi Ada"} | fields
    return MessageRecord(
        message_id=message_id, workflow_id=workflow_id, process=process, direction="out", **values
    )


def answer(message_id: str, workflow_id: str, process: Process = "support") -> MessageRecord:
    return MessageRecord(
        message_id=message_id,
        workflow_id=workflow_id,
        process=process,
        direction="in",
        address="kim@acme.example",
        subject="Re: Hello",
        body="Thanks",
    )


async def test_a_message_id_is_logged_once_and_keeps_its_first_run(crm_db: CrmDatabase):
    crm = await crm_db.open()
    assert await crm.record_message(out("<a@flowdesk.example>", "outreach-1"))
    assert not await crm.record_message(out("<a@flowdesk.example>", "outreach-2"))
    assert await crm.find_run(["<a@flowdesk.example>"]) == RunRef(
        workflow_id="outreach-1", process="outreach"
    )


async def test_the_newest_known_reference_names_the_run(crm_db: CrmDatabase):
    crm = await crm_db.open()
    await crm.record_message(out("<touch@flowdesk.example>", "outreach-1"))
    await crm.record_message(answer("<q@acme.example>", "ticket-1"))
    references = ["<touch@flowdesk.example>", "<q@acme.example>", "<unknown@elsewhere.example>"]

    assert await crm.find_run(references) == RunRef(workflow_id="ticket-1", process="support")
    assert await crm.find_run(["<unknown@elsewhere.example>"]) is None
    assert await crm.find_run([]) is None


async def test_message_ids_match_exactly_as_written(crm_db: CrmDatabase):
    crm = await crm_db.open()
    await crm.record_message(out("<Case@Flowdesk.example>", "outreach-1"))
    assert await crm.find_run(["<case@flowdesk.example>"]) is None
    assert await crm.find_run(["Case@Flowdesk.example"]) is None


async def test_runs_that_mailed_an_address_newest_first_each_once(crm_db: CrmDatabase):
    crm = await crm_db.open()
    await crm.record_message(out("<1@f.example>", "outreach-old"))
    await crm.record_message(out("<2@f.example>", "outreach-new", address="ADA@Northwind.example"))
    await crm.record_message(out("<3@f.example>", "outreach-old"))
    await crm.record_message(out("<4@f.example>", "outreach-newest"))
    await crm.record_message(out("<5@f.example>", "lead-1", process="intake"))
    await crm.record_message(answer("<6@f.example>", "outreach-other", process="outreach"))

    assert await crm.runs_to("Ada@northwind.EXAMPLE", "outreach") == [
        "outreach-newest",
        "outreach-old",
        "outreach-new",
    ]
    assert await crm.runs_to("ada@northwind.example", "intake") == ["lead-1"]
    assert await crm.runs_to("kim@acme.example", "outreach") == [], "only mail we sent counts"


async def test_the_addresses_our_messages_went_to_are_what_a_report_can_prove(
    crm_db: CrmDatabase,
):
    """An inbound message under a cited id, or a notice to a colleague, proves nothing."""
    crm = await crm_db.open()
    await crm.record_message(out("<1@f.example>", "outreach-1", address="Ada@Northwind.example"))
    await crm.record_message(
        out("<2@f.example>", "ticket-1", "support", address="kim@acme.example")
    )
    await crm.record_message(answer("<3@acme.example>", "ticket-1"))
    await crm.record_message(
        out("<4@f.example>", "ticket-1", process="notice", address="oncall@flowdesk.example")
    )
    cited = ["<1@f.example>", "<2@f.example>", "<3@acme.example>", "<4@f.example>", "<1@f.example>"]

    assert await crm.sent_to(cited) == ["ada@northwind.example", "kim@acme.example"]
    assert await crm.sent_to(["<unknown@f.example>"]) == []
    assert await crm.sent_to([]) == []


async def test_the_address_a_run_mailed_is_its_first_outgoing_message(crm_db: CrmDatabase):
    crm = await crm_db.open()
    await crm.record_message(answer("<q@acme.example>", "ticket-1"))
    await crm.record_message(
        out("<n@f.example>", "ticket-1", process="notice", address="oncall@flowdesk.example")
    )
    await crm.record_message(
        out("<r@f.example>", "ticket-1", "support", address="Kim@Acme.example")
    )
    await crm.record_message(
        out("<x@f.example>", "ticket-1", "support", address="else@acme.example")
    )

    assert await crm.address_of("ticket-1") == "kim@acme.example"
    assert await crm.address_of("ticket-unknown") is None


async def test_a_thread_is_the_newest_messages_oldest_first_without_notices(crm_db: CrmDatabase):
    crm = await crm_db.open()
    await crm.record_message(answer("<q1@acme.example>", "ticket-1"))
    await crm.record_message(out("<r1@f.example>", "ticket-1", "support", subject="Re: 1"))
    await crm.record_message(
        out("<n@f.example>", "ticket-1", "notice", address="oncall@flowdesk.example")
    )
    await crm.record_message(answer("<q2@acme.example>", "ticket-1"))
    await crm.record_message(out("<r2@f.example>", "ticket-1", "support", subject="Re: 2"))
    await crm.record_message(answer("<other@acme.example>", "ticket-2"))

    thread = await crm.thread("ticket-1", 3)
    assert [(entry.direction, entry.subject) for entry in thread] == [
        ("out", "Re: 1"),
        ("in", "Re: Hello"),
        ("out", "Re: 2"),
    ]
    assert thread[0].body == "Hi Ada" and thread[0].at.tzinfo is not None
    assert len(await crm.thread("ticket-1", 10)) == 4
    assert await crm.thread("ticket-unknown", 10) == []


async def test_suppression_is_case_insensitive_and_the_first_reason_stays(crm_db: CrmDatabase):
    crm = await crm_db.open()
    first = Suppression(address="Ada@Northwind.example", reason="unsubscribed", source="link")
    later = Suppression(address="ada@northwind.example", reason="bounced", source="bounce report")

    assert await crm.suppression("ada@northwind.example") is None
    assert await crm.suppress(first)
    assert not await crm.suppress(later)
    assert await crm.suppression("ADA@NORTHWIND.EXAMPLE") == "unsubscribed"
    assert await crm.suppression("kim@acme.example") is None


async def test_a_person_can_review_the_list_and_take_an_address_off(crm_db: CrmDatabase):
    crm = await crm_db.open()
    await crm.suppress(Suppression(address="ada@northwind.example", reason="bounced", source="dsn"))
    await crm.suppress(
        Suppression(address="kim@acme.example", reason="unsubscribed", source="link")
    )

    listed = await crm.suppressions(None, 10)
    assert {(e.address, e.reason, e.source) for e in listed} == {
        ("ada@northwind.example", "bounced", "dsn"),
        ("kim@acme.example", "unsubscribed", "link"),
    }
    assert [e.address for e in await crm.suppressions("ADA@northwind.example", 10)] == [
        "ada@northwind.example"
    ]
    assert len(await crm.suppressions(None, 1)) == 1
    assert await crm.unsuppress("Ada@Northwind.example", "mailbox was full", "Grace")
    assert not await crm.unsuppress("ada@northwind.example", "again", "Grace"), "already off"
    assert await crm.suppression("ada@northwind.example") is None
    assert await crm.suppression("kim@acme.example") == "unsubscribed"


async def test_every_change_to_the_list_is_in_its_audit_log(crm_db: CrmDatabase):
    crm = await crm_db.open()
    bounce = Suppression(address="Ada@Northwind.example", reason="bounced", source="dsn <x@y>")
    await crm.suppress(bounce)
    await crm.suppress(bounce)  # already listed: no second line
    await crm.unsuppress("ada@northwind.example", "mailbox was full", "Grace")
    await crm.unsuppress("ada@northwind.example", "twice", "Grace")  # not listed: no line
    await crm.suppress(bounce.model_copy(update={"reason": "unsubscribed", "source": "link"}))

    changes = await crm.suppression_changes("ADA@northwind.example", 10)
    assert [(c.change, c.reason, c.actor) for c in changes] == [
        ("added", "unsubscribed", "link"),
        ("removed", "mailbox was full", "Grace"),
        ("added", "bounced", "dsn <x@y>"),
    ]
    assert {c.address for c in changes} == {"ada@northwind.example"}
    assert len(await crm.suppression_changes("ada@northwind.example", 1)) == 1
    assert await crm.suppression_changes("kim@acme.example", 10) == []


async def test_a_crm_file_from_before_the_message_log_gains_it(tmp_path: Path):
    path = tmp_path / "crm.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE contacts (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE)")
        db.execute("INSERT INTO contacts (email) VALUES ('ada@northwind.example')")
    crm = SqliteCrm(path)
    assert await crm.record_message(out("<a@f.example>", "outreach-1"))
    assert await crm.suppress(Suppression(address="a@b.example", reason="bounced", source="t"))
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT email FROM contacts").fetchall() == [("ada@northwind.example",)]
