"""The test suite's own payload key and id secret (fixed, so ids are stable in a test)."""

import base64

from pydantic import SecretStr

from config.privacy import PrivacySettings

PAYLOAD_KEYS = "test1=" + base64.b64encode(bytes(range(32))).decode()
ID_SECRET = "an-id-secret-for-tests-only-0123456789"
PRIVACY = PrivacySettings(
    payload_keys=PAYLOAD_KEYS,  # type: ignore[arg-type]  # parsed by the settings
    id_secret=SecretStr(ID_SECRET),
    _env_file=None,  # type: ignore[call-arg]
)
ID_KEY = PRIVACY.id_key
ENV = {"FLOWDESK_PAYLOAD_KEYS": PAYLOAD_KEYS, "FLOWDESK_ID_SECRET": ID_SECRET}
"""For processes the tests start."""
