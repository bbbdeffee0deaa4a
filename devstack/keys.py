"""The demo's secrets: made once per checkout, kept owner-only in var/, so every process
of the stack, every restart, and `starter.py` run from the checkout agree on them.
Production sets the same variables from its own secret store."""

import secrets
from collections.abc import Callable
from pathlib import Path

from dotenv import dotenv_values

from config.privacy import SECRETS_FILE, new_key

VAR = Path(__file__).resolve().parent.parent / "var"
DEMO_KEY_ID = "demo1"


def _kept(path: Path, make: Callable[[], str]) -> str:
    if not path.exists():
        VAR.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(make())
    return path.read_text()


def _privacy_file() -> str:
    return (
        f"FLOWDESK_ID_SECRET={secrets.token_urlsafe(48)}\n"
        f"FLOWDESK_PAYLOAD_KEYS={DEMO_KEY_ID}={new_key()}\n"
    )


def demo_secrets() -> dict[str, str]:
    """The unsubscribe-link key, the id secret and the payload key, as variables."""
    _kept(VAR.parent / SECRETS_FILE, _privacy_file)
    privacy = dotenv_values(VAR.parent / SECRETS_FILE)
    link = _kept(VAR / "link-secret", lambda: secrets.token_urlsafe(48)).strip()
    return {"FLOWDESK_LINK_SECRET": link} | {k: v for k, v in privacy.items() if v}
