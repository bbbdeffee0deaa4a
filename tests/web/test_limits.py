"""The sliding window counts per key, frees a key once its window passes, and forgets
stale keys instead of growing without bound; the key is the client's address, read from
`X-Forwarded-For` only when a trusted proxy sends it."""

import time
from ipaddress import ip_network

import pytest

from web import limits
from web.addresses import forwarded_client
from web.limits import SlidingWindow


def test_window_limits_per_key_and_frees_up_after_it_passes(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    window = SlidingWindow(limit=2, seconds=60)
    assert window.allow("a") and window.allow("a") and not window.allow("a")
    assert window.allow("b"), "another key has its own count"
    assert window.retry_after("a") == 61
    now[0] += 61
    assert window.allow("a")


def test_stale_keys_are_swept(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    monkeypatch.setattr(limits, "SWEEP_AT", 3)
    window = SlidingWindow(limit=1, seconds=60)
    for key in ("a", "b", "c", "d"):
        window.allow(key)
    now[0] += 61
    window.allow("e")
    assert set(window._events) == {"e"}


def test_a_full_table_forgets_its_oldest_key_instead_of_refusing_a_stranger(monkeypatch):
    monkeypatch.setattr(limits, "MAX_KEYS", 3)
    window = SlidingWindow(limit=1, seconds=60)
    for key in ("a", "b", "c"):
        assert window.allow(key)
    assert window.allow("stranger"), "a new address is served however many came before"
    assert set(window._events) == {"b", "c", "stranger"}
    assert not window.allow("c"), "a key still held keeps its count"


TRUSTED = [ip_network("10.0.0.0/8")]


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("10.0.0.5", "198.51.100.7", "198.51.100.7"),
        ("10.0.0.5", "203.0.113.1, 198.51.100.7, 10.0.0.9", "198.51.100.7"),
        ("127.0.0.1", "198.51.100.7", "127.0.0.1"),
        ("198.51.100.99", "198.51.100.7", "198.51.100.99"),
        ("10.0.0.5", "not-an-address", "10.0.0.5"),
        ("10.0.0.5", None, "10.0.0.5"),
        ("10.0.0.5", "10.0.0.9", "10.0.0.5"),
    ],
    ids=[
        "behind the proxy", "rightmost untrusted hop", "loopback is no proxy by default",
        "a stranger's header", "garbage", "no header", "only proxies",
    ],
)  # fmt: skip
def test_forwarded_for_is_believed_only_from_a_trusted_proxy(
    peer: str, forwarded: str | None, client: str
):
    assert forwarded_client(peer, forwarded, TRUSTED) == client
