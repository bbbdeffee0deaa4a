"""The doors' settings refuse what would fail later: a mailbox without its account, a
reviewer without a proper hash."""

import pytest
from pydantic import ValidationError

from config.doors import InboundSettings, WebSettings
from web.auth import hash_password


def test_a_mailbox_needs_its_account():
    with pytest.raises(ValidationError, match="FLOWDESK_INBOUND_IMAP_USERNAME"):
        InboundSettings(imap_host="imap.example")


def test_reviewers_are_name_and_scrypt_hash_pairs(monkeypatch):
    hashed = hash_password("pw")
    monkeypatch.setenv("FLOWDESK_WEB_USERS", f"rita:{hashed}, sam:{hashed}")
    assert set(WebSettings().users) == {"rita", "sam"}
    monkeypatch.setenv("FLOWDESK_WEB_USERS", "rita:plaintext")
    with pytest.raises(ValidationError, match="hash-password"):
        WebSettings()
