"""One-click unsubscribe links: a link names its run, and nothing else passes for one."""

import base64

import pytest

from adapters.mail.unsubscribe_links import UnsubscribeLinks

SECRET = b"s" * 32
MAILTO = "unsubscribe@flowdesk.example"
LINKS = UnsubscribeLinks(SECRET, "https://flowdesk.example/", MAILTO)
RUN = "outreach-3f9a2c71e0b4"


def test_a_token_leads_back_to_its_run():
    token = LINKS.token(RUN)
    assert LINKS.verify(token) == RUN
    assert LINKS.url(RUN) == f"https://flowdesk.example/unsubscribe/{token}"
    assert "." in token and "/" not in token and "=" not in token


def test_any_workflow_id_round_trips():
    for run in ("a", "lead-ü-1", "x" * 300, "with/slash+plus"):
        assert LINKS.verify(LINKS.token(run)) == run


def test_a_token_altered_to_name_another_run_is_refused():
    _, mac = LINKS.token(RUN).split(".")
    other = base64.urlsafe_b64encode(b"outreach-000000000000").rstrip(b"=").decode()
    assert LINKS.verify(f"{other}.{mac}") is None


def test_an_altered_mac_is_refused():
    encoded, mac = LINKS.token(RUN).split(".")
    flipped = ("0" if mac[0] != "0" else "1") + mac[1:]
    assert LINKS.verify(f"{encoded}.{flipped}") is None
    assert LINKS.verify(f"{encoded}.{mac[:-1]}") is None
    assert LINKS.verify(f"{encoded}.{mac.upper()}") is None


def test_a_token_from_another_secret_is_refused():
    other = UnsubscribeLinks(b"o" * 32, "https://flowdesk.example", MAILTO)
    assert LINKS.verify(other.token(RUN)) is None


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        ".",
        "no-dot-at-all",
        f".{'0' * 32}",
        f"!!!.{'0' * 32}",
        f"a.{'0' * 32}",
        f"{'A' * 5000}.{'0' * 32}",
        "\x00\n<script>",
        LINKS.token(RUN) + "\n",
        LINKS.token(RUN) + ".extra",
    ],
)
def test_garbage_is_refused_without_an_error(garbage: str):
    assert LINKS.verify(garbage) is None


def test_a_second_spelling_of_the_same_id_is_refused():
    """base64 ignores the unused bits of its last character; one run has one token."""
    encoded, mac = UnsubscribeLinks(SECRET, "", MAILTO).token("ab").split(".")
    assert encoded == "YWI"
    assert LINKS.verify(f"YWJ.{mac}") is None


def test_without_a_secret_only_the_mailto_is_offered():
    links = UnsubscribeLinks(None, "https://flowdesk.example", MAILTO)
    offer = links.offer(RUN)
    assert offer.url is None and offer.mailto == MAILTO
    assert links.verify(LINKS.token(RUN)) is None
    with pytest.raises(RuntimeError, match="FLOWDESK_LINK_SECRET"):
        links.token(RUN)


def test_with_a_secret_the_offer_carries_the_link():
    offer = LINKS.offer(RUN)
    assert offer.url == LINKS.url(RUN) and offer.mailto == MAILTO
