"""Facts in a reply match their source as whole tokens, and links by their canonical
form whatever their case: the holes an outside audit found, each a reply that was sent."""

import pytest

from policy.checks.entities import canonical_link, unsourced

SOURCE = (
    "Invoices are at https://docs.flowdesk.example/billing/. Refunds take 12 business days. "
    "Plans cost $100 per month. Call +1 555 1234. The shop is at Bücher.example."
)


@pytest.mark.parametrize(
    ("reply", "kind"),
    [
        ("Download it at EVIL-INVOICES.COM/pdf.", "link"),
        ("Reset your password at Evil-Login.Com/reset", "link"),
        ("See docs.flowdesk.ex for details.", "link"),
        ("See docs.flowdesk.example/billing/../../evil for details.", "link"),
        ("Refunds take 2 business days.", "duration"),
        ("Plans cost $10 per month.", "amount"),
        ("Plans cost $100.50 per month.", "amount"),
        ("Call +1 555 12 today.", "phone number"),
    ],
)
def test_a_fact_the_source_states_only_in_part_is_unsourced(reply: str, kind: str):
    assert [e.kind for e in unsourced(reply, [SOURCE]) if e.kind == kind] == [kind]


@pytest.mark.parametrize(
    "reply",
    [
        "Invoices are at DOCS.FLOWDESK.EXAMPLE/billing.",
        "Invoices are at https://docs.flowdesk.example/billing",
        "Invoices are at docs.flowdesk.example./billing/",
        "Refunds take twelve business days, and plans cost $100 per month.",
        "Call +1 555 1234.",
        "The shop is at xn--bcher-kva.example.",
    ],
)
def test_the_same_fact_written_another_way_is_sourced(reply: str):
    assert unsourced(reply, [SOURCE]) == []


def test_an_allowlisted_host_covers_its_subdomains_in_any_case():
    assert unsourced("Status: STATUS.Flowdesk.Example/today", [], ["flowdesk.example"]) == []
    assert unsourced("Status: flowdesk.example.evil.test", [], ["flowdesk.example"]) != []


def test_canonical_links():
    assert canonical_link("HTTPS://WWW.Example.COM./Path/") == "example.com/path"
    assert canonical_link("bücher.example:8080/x") == "xn--bcher-kva.example:8080/x"
