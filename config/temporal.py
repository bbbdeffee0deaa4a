"""One way to build a Temporal client, so worker, starter, devstack and tests agree."""

import dataclasses
import os
import sys
from pathlib import Path
from typing import NoReturn

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes
from temporalio.runtime import Runtime
from temporalio.service import TLSConfig

from config.payload_codec import AesGcmCodec
from config.privacy import PrivacySettings
from config.settings import TemporalSettings


def data_converter(privacy: PrivacySettings) -> DataConverter:
    """Pydantic payloads, encrypted; failure messages and stack traces are encrypted too
    (they can quote an input), so the server keeps only their type."""
    return dataclasses.replace(
        pydantic_data_converter,
        payload_codec=AesGcmCodec(privacy.key_material(), privacy.accept_clear_payloads),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )


def tls_config(settings: TemporalSettings) -> TLSConfig | bool:
    """The SDK's TLS setting: a client certificate (mTLS), a private CA and the name the
    server's certificate carries, each only when set; plain TLS or none otherwise."""
    if not settings.use_tls:
        return False
    if not (settings.tls_cert_path or settings.tls_ca_path or settings.tls_server_name):
        return True

    def read(path: Path | None) -> bytes | None:
        return path.read_bytes() if path else None

    return TLSConfig(
        server_root_ca_cert=read(settings.tls_ca_path),
        domain=settings.tls_server_name,
        client_cert=read(settings.tls_cert_path),
        client_private_key=read(settings.tls_key_path),
    )


async def connect(
    settings: TemporalSettings, privacy: PrivacySettings, runtime: Runtime | None = None
) -> Client:
    """Connect with the encrypting converter; TLS/mTLS or an API key for Temporal Cloud.
    `runtime` carries the worker's metrics endpoint (`config.telemetry`); None is the
    SDK's default runtime, which exports nothing."""
    return await Client.connect(
        settings.address,
        namespace=settings.namespace,
        api_key=settings.api_key.get_secret_value() if settings.api_key else None,
        tls=tls_config(settings),
        data_converter=data_converter(privacy),
        runtime=runtime,
    )


def exit_without_teardown(code: int) -> NoReturn:
    """End a short-lived client process without interpreter finalisation.

    The SDK's Rust runtime threads can outlive `asyncio.run`, and CPython then aborts
    at exit now and then with "PyGILState_Release: thread state ... must be current"
    (temporalio/sdk-python issue #300, open). A command-line client has nothing left
    to clean up once its output is flushed, so it skips the teardown.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
