"""The sliding window counts per key, frees a key once its window passes, and forgets
stale keys instead of growing without bound."""

import time

from web import limits
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
