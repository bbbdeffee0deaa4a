"""The payload codec and its keys: encrypted at rest, rotatable, refused when wrong."""

import base64
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError
from temporalio.api.common.v1 import Payload
from temporalio.api.failure.v1 import Failure
from temporalio.exceptions import ApplicationError

import worker
from config.payload_codec import KEY_ID, AesGcmCodec, UnknownKey
from config.privacy import PrivacySettings, new_key
from config.temporal import data_converter
from tests.privacy import PRIVACY

SECRET_TEXT = "ada@northwind-robotics.example asked about invoices"


def settings(keys: str) -> PrivacySettings:
    return PrivacySettings(
        payload_keys=keys,  # type: ignore[arg-type]
        id_secret=SecretStr("i" * 40),
        _env_file=None,  # type: ignore[call-arg]
    )


async def test_payloads_are_ciphertext_that_names_its_key_and_round_trips():
    converter = data_converter(PRIVACY)
    [encoded] = await converter.encode([{"email": SECRET_TEXT}])
    assert b"northwind" not in encoded.SerializeToString()
    assert encoded.metadata[KEY_ID] == b"test1"
    assert await converter.decode([encoded], [dict]) == [{"email": SECRET_TEXT}]


async def test_a_rotated_key_encrypts_new_payloads_and_old_ones_still_decrypt():
    old = settings(f"k1={new_key()}")
    [sealed] = await AesGcmCodec(old.key_material()).encode([Payload(data=b"old history")])
    rotated = settings(f"k2={new_key()},{_keys(old)}")
    codec = AesGcmCodec(rotated.key_material())
    assert (await codec.decode([sealed]))[0].data == b"old history"
    [fresh] = await codec.encode([Payload(data=b"new")])
    assert fresh.metadata[KEY_ID] == b"k2"


def _keys(privacy: PrivacySettings) -> str:
    return ",".join(f"{k}={v.get_secret_value()}" for k, v in privacy.payload_keys.items())


async def test_an_unknown_key_or_a_tampered_payload_is_refused():
    [sealed] = await AesGcmCodec(settings(f"k1={new_key()}").key_material()).encode(
        [Payload(data=b"x")]
    )
    with pytest.raises(UnknownKey, match="'k1'"):
        await AesGcmCodec(settings(f"k9={new_key()}").key_material()).decode([sealed])
    key = settings(f"k1={new_key()}")
    [mine] = await AesGcmCodec(key.key_material()).encode([Payload(data=b"x")])
    mine.data = mine.data[:-1] + bytes([mine.data[-1] ^ 1])
    with pytest.raises(ValueError, match="failed authentication"):
        await AesGcmCodec(key.key_material()).decode([mine])


async def test_an_unencrypted_payload_is_never_read_unless_migrating():
    """A payload in clear came from a process without the keys: no converter reads it."""
    plain = Payload(metadata={"encoding": b"json/plain"}, data=b'"approve, send my text"')
    [refused] = await AesGcmCodec(PRIVACY.key_material()).decode([plain])
    assert refused.data == b"" and b"approve" not in refused.SerializeToString()
    with pytest.raises(KeyError, match="encoding"):
        data_converter(PRIVACY).payload_converter.from_payloads([refused], [str])
    migrating = AesGcmCodec(PRIVACY.key_material(), accept_clear=True)
    assert await migrating.decode([plain]) == [plain]


async def test_failure_messages_are_encrypted_too():
    """A failure's message can quote an input; the server keeps only its type."""
    converter = data_converter(PRIVACY)
    failure = Failure()
    await converter.encode_failure(ApplicationError(SECRET_TEXT), failure)
    assert b"northwind" not in failure.SerializeToString()
    assert SECRET_TEXT in str(await converter.decode_failure(failure))


@pytest.mark.parametrize(
    ("keys", "problem"),
    [
        ("", "at least one key"),
        ("k1", "key-id=base64-key"),
        ("k1=not*base64", "not base64"),
        (f"k1={base64.b64encode(b'short').decode()}", "must decode to 32 bytes"),
        (f"k1={new_key()},k1={new_key()}", "appears twice"),
        (f"bad id={new_key()}", "key-id=base64-key"),
    ],
)
def test_bad_payload_keys_are_refused_naming_the_problem(keys: str, problem: str):
    with pytest.raises(ValidationError, match=problem) as refused:
        settings(keys)
    assert "not*base64" not in str(refused.value)


def test_the_worker_will_not_start_without_its_keys(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """No key, no start: a worker must not write personal data in clear by accident."""
    monkeypatch.chdir(tmp_path)  # no var/secrets.env here
    monkeypatch.delenv("FLOWDESK_PAYLOAD_KEYS")
    monkeypatch.setenv("FLOWDESK_ID_SECRET", "short")
    with pytest.raises(SystemExit) as exited:
        worker.load_settings()
    err = capsys.readouterr().err
    assert exited.value.code == 2
    assert "FLOWDESK_PAYLOAD_KEYS" in err and "FLOWDESK_ID_SECRET" in err
    assert "short" not in err.replace("shorter", "")


def test_the_worker_logs_key_ids_but_no_key(monkeypatch: pytest.MonkeyPatch):
    key = new_key()
    monkeypatch.setenv("FLOWDESK_PAYLOAD_KEYS", f"2026-11={key}")
    shown = str(worker.summary(worker.load_settings().privacy))
    assert "2026-11" in shown and key not in shown
