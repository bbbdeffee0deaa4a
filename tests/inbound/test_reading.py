"""Mail is read in child processes with a time budget: what a reader returns for an
ordinary message, for one that overruns, and after its child dies."""

from collections.abc import AsyncIterator

import pytest_asyncio

from adapters.mail.inbound_mail import UNKNOWN_SENDER, parse_email
from bench.smtp_stall import crafted, ordinary
from inbound.reading import MailReader


@pytest_asyncio.fixture(loop_scope="session")
async def reader() -> AsyncIterator[MailReader]:
    reading = MailReader(budget=0.5)
    yield reading
    reading.close()


async def test_a_message_reads_as_parse_email_reads_it(reader: MailReader):
    raw = ordinary(1)
    assert await reader.read(raw) == parse_email(raw)


async def test_a_message_over_the_budget_becomes_a_raw_text_ticket(reader: MailReader):
    """Hundreds of MIME parts with long `Content-Type` parameters take the parser seconds:
    the child is stopped at the budget and a person gets the raw text."""
    slow = crafted("params_per_part", 1)

    held = await reader.read(slow)
    large = ordinary(2) + b"x" * 70_000
    after = await reader.read(large)

    assert held.sender == UNKNOWN_SENDER
    assert held.parse_problem == "reading took over 0.5 s; shown as raw text"
    assert held.body and held.body in slow.decode()
    assert after == parse_email(large)


async def test_a_child_that_dies_is_replaced(reader: MailReader):
    await reader.read(ordinary(3))
    for child in reader.children:
        child.process.kill()
        child.process.join()

    lost = await reader.read(ordinary(4))
    raw = ordinary(5)
    next_one = await reader.read(raw)

    assert lost.parse_problem == "the reading process failed; shown as raw text"
    assert next_one == parse_email(raw)


async def test_close_stops_every_child_and_a_later_read_starts_anew(reader: MailReader):
    await reader.read(ordinary(6))
    started = [child.process for child in reader.children]

    reader.close()
    raw = ordinary(7)
    again = await reader.read(raw)

    assert started and all(not process.is_alive() for process in started)
    assert again == parse_email(raw)
