"""The SQLite CRM: upsert by email, idempotent timeline."""

import sqlite3
from pathlib import Path

from activities.crm import SqliteCrm
from models.lead import CompanyProfile
from tests.workflows.fakes import make_lead

PROFILE = CompanyProfile(
    domain="northwind-robotics.example", industry="Robotics", employee_count=320, source="website"
)


def rows(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as db:
        return db.execute(sql).fetchall()


async def test_upsert_twice_changes_nothing(tmp_path: Path):
    path = tmp_path / "crm.sqlite3"
    crm = SqliteCrm(path)
    first = await crm.upsert_contact(make_lead(), PROFILE, "lead-1")
    before = rows(path, "SELECT * FROM contacts")
    second = await crm.upsert_contact(make_lead(), PROFILE, "lead-1")

    assert first.created and not second.created and not second.changed
    assert second.contact_id == first.contact_id
    assert rows(path, "SELECT * FROM contacts") == before, "updated_at untouched"
    assert rows(path, "SELECT kind, event_key FROM timeline") == [("lead_submitted", "lead-1")]


async def test_email_is_the_key_case_insensitively(tmp_path: Path):
    crm = SqliteCrm(tmp_path / "crm.sqlite3")
    first = await crm.upsert_contact(make_lead(), PROFILE, "lead-1")
    again = await crm.upsert_contact(
        make_lead(email="ADA@Northwind-Robotics.example"), PROFILE, "lead-2"
    )
    assert again.contact_id == first.contact_id and not again.created


async def test_changed_data_updates_the_contact(tmp_path: Path):
    path = tmp_path / "crm.sqlite3"
    crm = SqliteCrm(path)
    await crm.upsert_contact(make_lead(), PROFILE, "lead-1")
    updated = await crm.upsert_contact(
        make_lead(company="Northwind Robotics AB"), PROFILE, "lead-2"
    )
    assert updated.changed and not updated.created
    assert rows(path, "SELECT company FROM contacts") == [("Northwind Robotics AB",)]
    assert len(rows(path, "SELECT * FROM timeline")) == 2


async def test_score_and_events(tmp_path: Path):
    path = tmp_path / "crm.sqlite3"
    crm = SqliteCrm(path)
    contact = await crm.upsert_contact(make_lead(), PROFILE, "lead-1")
    await crm.set_score(contact.contact_id, 95, "A")
    assert await crm.add_event(contact.contact_id, "lead-1/scored", "scored", {"points": 95})
    assert not await crm.add_event(contact.contact_id, "lead-1/scored", "scored", {"points": 95})
    assert rows(path, "SELECT score, tier FROM contacts") == [(95, "A")]
    assert len(rows(path, "SELECT * FROM timeline WHERE kind = 'scored'")) == 1
