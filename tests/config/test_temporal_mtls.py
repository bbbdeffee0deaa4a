"""The compose stack's Temporal frontend takes only clients with a certificate from the
stack's own authority. The dev server has no TLS of its own, so a TLS front that demands
a client certificate (as `TEMPORAL_TLS_REQUIRE_CLIENT_AUTH` makes the server do) stands
before it here, with the server pair `python -m devstack certs` writes; the clients are
built by `config.temporal.connect` from the same settings the services read."""

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from config.settings import TemporalSettings
from config.temporal import connect
from devstack import certs
from tests.privacy import PRIVACY


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, ssl.SSLError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    with contextlib.suppress(ConnectionError, ssl.SSLError, RuntimeError):
        writer.close()


@contextlib.asynccontextmanager
async def mutual_tls_front(upstream: str, issued: Path) -> AsyncIterator[str]:
    """`host:port` of a TLS listener that requires a client certificate signed by the
    stack's CA and forwards the HTTP/2 stream to `upstream`."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(issued / "server.pem", issued / "server.key")
    context.load_verify_locations(issued / "ca.pem")
    context.verify_mode = ssl.CERT_REQUIRED
    context.set_alpn_protocols(["h2"])
    host, port = upstream.rsplit(":", 1)

    async def forward(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        back_reader, back_writer = await asyncio.open_connection(host, int(port))
        await asyncio.gather(_pipe(reader, back_writer), _pipe(back_reader, writer))

    server = await asyncio.start_server(forward, "127.0.0.1", 0, ssl=context)
    async with server:
        yield f"127.0.0.1:{server.sockets[0].getsockname()[1]}"


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("certs")
    certs.issue(directory, ["temporal", "localhost"])
    return directory


@pytest_asyncio.fixture
async def front(dev_env: WorkflowEnvironment, issued: Path) -> AsyncIterator[str]:
    async with mutual_tls_front(dev_env.client.service_client.config.target_host, issued) as at:
        yield at


def settings(front: str, issued: Path, client_pair: Path | None) -> TemporalSettings:
    """What a service of the stack reads: the CA and the server's name, and the client
    pair in `client_pair` (None: no certificate)."""
    pair = (
        {"tls_cert_path": client_pair / "client.pem", "tls_key_path": client_pair / "client.key"}
        if client_pair
        else {}
    )
    return TemporalSettings(
        address=front, tls_ca_path=issued / "ca.pem", tls_server_name="temporal", **pair
    )


async def test_a_client_with_the_stacks_certificate_gets_in(front: str, issued: Path):
    client = await connect(settings(front, issued, issued), PRIVACY)
    assert (await client.service_client.check_health()) is True


@pytest.mark.parametrize("pair", ["none", "another authority's"])
async def test_a_client_without_the_stacks_certificate_is_turned_away(
    front: str, issued: Path, tmp_path: Path, pair: str
):
    stranger = certs.issue(tmp_path / "other", ["temporal"]).directory
    with pytest.raises(RuntimeError):  # the handshake fails: the SDK cannot connect
        client = await connect(
            settings(front, issued, stranger if pair != "none" else None), PRIVACY
        )
        await client.service_client.check_health()


def test_the_files_are_kept_once_written(tmp_path: Path):
    first = certs.issue(tmp_path, ["temporal"])
    before = (tmp_path / "client.pem").read_bytes()
    again = certs.issue(tmp_path, ["temporal"])
    assert first.created and not again.created
    assert (tmp_path / "client.pem").read_bytes() == before
    assert not list(tmp_path.glob("ca.key"))  # the authority's key is never written
