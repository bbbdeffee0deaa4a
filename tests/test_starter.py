"""`starter.py` refuses bad input before anything starts, naming the field."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.crm.crm import SqliteCrm
from models.lead import company_domain_key
from models.threads import Suppression
from tests.privacy import ID_KEY

ROOT = Path(__file__).parents[1]
GOOD = json.loads((ROOT / "examples/leads/1-northwind.json").read_text())


def run_starter(*args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"TEMPORAL_ADDRESS": "127.0.0.1:1"} | extra_env  # nothing listens there
    return subprocess.run(
        [sys.executable, "starter.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "not-an-email"}, "email:"),
        ({"website": "ftp://northwind.example"}, "website:"),
        ({"message": "x" * 5001}, "message:"),
        ({"unexpected": 1}, "unexpected:"),
        ({"source": "carrier pigeon"}, "source:"),
        ({"submitted_at": "yesterday"}, "submitted_at:"),
        ({"name": "   "}, "name:"),
    ],
)
def test_invalid_lead_is_refused_before_any_start(tmp_path: Path, change: dict, field: str):
    path = tmp_path / "lead.json"
    path.write_text(json.dumps(GOOD | change))
    result = run_starter("lead", "--json", str(path))
    assert result.returncode == 2
    assert result.stderr.startswith("invalid lead:") and field in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "one JSON object"),
        ("x" * 70_000, "the limit is"),
    ],
)
def test_unreadable_lead_files_are_refused(tmp_path: Path, content: str, message: str):
    path = tmp_path / "lead.json"
    path.write_text(content)
    result = run_starter("lead", "--json", str(path))
    assert result.returncode == 2 and message in result.stderr


def test_invalid_support_email_is_refused():
    result = run_starter("support", "--from", "nobody", "--body", "hi")
    assert result.returncode == 2 and "sender:" in result.stderr


OUTREACH = json.loads((ROOT / "examples/outreach/bluefin.json").read_text())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone: unknown time zone 'Mars/Olympus'"),
        ({"email": "jonas@"}, "email:"),
        ({"website": "javascript:alert(1)"}, "website:"),
    ],
)
def test_invalid_outreach_is_refused_before_any_start(tmp_path: Path, change: dict, message: str):
    path = tmp_path / "outreach.json"
    path.write_text(json.dumps(OUTREACH | change))
    result = run_starter("outreach", "--json", str(path))
    assert result.returncode == 2 and message in result.stderr
    assert "Traceback" not in result.stderr


def test_reschedule_needs_a_time_with_an_offset():
    result = run_starter("reschedule", "outreach-1", "--at", "2026-12-01T10:00")
    assert result.returncode == 2
    assert result.stderr.startswith("invalid --at:") and "timezone" in result.stderr


def test_domain_key_gives_the_keyed_company_domain_without_a_server():
    """The index holds no company's domain: this deployment's keyed value is what to query."""
    done = run_starter("domain-key", "Northwind-Robotics.example")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == company_domain_key(ID_KEY, "northwind-robotics.example")
    assert "northwind" not in done.stdout


async def test_the_suppression_list_is_reviewed_and_corrected_from_the_command_line(
    tmp_path: Path,
):
    """The CRM the workers write (here the SQLite file in the data dir), no Temporal."""
    crm = SqliteCrm(tmp_path / "crm.sqlite3")
    await crm.suppress(Suppression(address="ada@northwind.example", reason="bounced", source="dsn"))
    await crm.close()
    data = {"FLOWDESK_DATA_DIR": str(tmp_path)}

    listed = run_starter("suppression", "list", **data)
    assert listed.returncode == 0, listed.stderr
    assert "ada@northwind.example  bounced" in listed.stdout and "(dsn)" in listed.stdout
    unexplained = run_starter(
        "suppression", "remove", "ada@northwind.example", "--reason", " ", **data
    )
    assert unexplained.returncode == 2 and "reason" in unexplained.stderr
    anonymous = run_starter(
        "suppression", "remove", "ada@northwind.example", "--reason", "r", "--by", "x" * 101,
        **data,
    )  # fmt: skip
    assert anonymous.returncode == 2 and "by: 101 characters" in anonymous.stderr
    taken = run_starter(
        "suppression", "remove", "Ada@Northwind.example", "--reason", "mailbox was full",
        "--by", "Grace", **data,
    )  # fmt: skip
    assert taken.returncode == 0 and "taken off the list" in taken.stdout
    again = run_starter("suppression", "remove", "ada@northwind.example", "--reason", "x", **data)
    assert again.returncode == 1 and "was not on it" in again.stdout
    assert "0 address(es)" in run_starter("suppression", "list", **data).stdout
    shown = run_starter("suppression", "show", "ada@northwind.example", **data).stdout
    assert "not on the list" in shown
    assert "removed: mailbox was full (by Grace)" in shown and "added: bounced (by dsn)" in shown
