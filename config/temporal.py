"""One way to build a Temporal client, so worker, starter, devstack and tests agree."""

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import TLSConfig

from config.settings import TemporalSettings


async def connect(settings: TemporalSettings) -> Client:
    """Connect with the pydantic converter; TLS/mTLS or an API key for Temporal Cloud."""
    tls: TLSConfig | bool = settings.use_tls
    if settings.tls_cert_path and settings.tls_key_path:
        tls = TLSConfig(
            client_cert=settings.tls_cert_path.read_bytes(),
            client_private_key=settings.tls_key_path.read_bytes(),
        )
    return await Client.connect(
        settings.address,
        namespace=settings.namespace,
        api_key=settings.api_key.get_secret_value() if settings.api_key else None,
        tls=tls,
        data_converter=pydantic_data_converter,
    )
