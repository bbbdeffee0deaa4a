"""The CRM's contacts: upsert by email, idempotent timeline; on the SQLite file and on
PostgreSQL alike (`crm_db`, tests/crm_fixtures.py)."""

import asyncio

from models.lead import CompanyProfile
from tests.crm_fixtures import CrmDatabase
from tests.workflows.fakes import make_lead

PROFILE = CompanyProfile(
    domain="northwind-robotics.example", industry="Robotics", employee_count=320, source="website"
)


async def test_upsert_twice_changes_nothing(crm_db: CrmDatabase):
    crm = await crm_db.open()
    first = await crm.upsert_contact(make_lead(), PROFILE, "lead-1")
    before = await crm_db.rows("SELECT * FROM contacts")
    second = await crm.upsert_contact(make_lead(), PROFILE, "lead-1")

    assert first.created and not second.created and not second.changed
    assert second.contact_id == first.contact_id
    assert await crm_db.rows("SELECT * FROM contacts") == before, "updated_at untouched"
    assert await crm_db.rows("SELECT kind, event_key FROM timeline") == [
        ("lead_submitted", "lead-1")
    ]


async def test_email_is_the_key_case_insensitively(crm_db: CrmDatabase):
    crm = await crm_db.open()
    first = await crm.upsert_contact(make_lead(), PROFILE, "lead-1")
    again = await crm.upsert_contact(
        make_lead(email="ADA@Northwind-Robotics.example"), PROFILE, "lead-2"
    )
    assert again.contact_id == first.contact_id and not again.created


async def test_changed_data_updates_the_contact(crm_db: CrmDatabase):
    crm = await crm_db.open()
    await crm.upsert_contact(make_lead(), PROFILE, "lead-1")
    updated = await crm.upsert_contact(
        make_lead(company="Northwind Robotics AB"), PROFILE, "lead-2"
    )
    assert updated.changed and not updated.created
    assert await crm_db.rows("SELECT company FROM contacts") == [("Northwind Robotics AB",)]
    assert len(await crm_db.rows("SELECT * FROM timeline")) == 2


async def test_score_and_events(crm_db: CrmDatabase):
    crm = await crm_db.open()
    contact = await crm.upsert_contact(make_lead(), PROFILE, "lead-1")
    await crm.set_score(contact.contact_id, 95, "A")
    assert await crm.add_event(contact.contact_id, "lead-1/scored", "scored", {"points": 95})
    assert not await crm.add_event(contact.contact_id, "lead-1/scored", "scored", {"points": 95})
    assert await crm_db.rows("SELECT score, tier FROM contacts") == [(95, "A")]
    assert len(await crm_db.rows("SELECT * FROM timeline WHERE kind = 'scored'")) == 1


async def test_two_workers_upserting_one_new_address_make_one_contact(crm_db: CrmDatabase):
    workers = [await crm_db.open() for _ in range(2)]
    refs = await asyncio.gather(
        *(workers[n % 2].upsert_contact(make_lead(), PROFILE, f"lead-{n % 3}") for n in range(8))
    )
    assert len({ref.contact_id for ref in refs}) == 1
    assert [ref.created for ref in refs].count(True) == 1
    assert await crm_db.rows("SELECT count(*) FROM contacts") == [(1,)]
    assert await crm_db.rows("SELECT count(*) FROM timeline") == [(3,)]
