"""The end-to-end stack: the real worker process and `starter.py`, against `dev_env`."""

import asyncio
import json
import mailbox
import os
import signal
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.history.v1 import History
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from config.temporal import data_converter
from tests.conftest import LoopbackSite
from tests.privacy import PRIVACY

ROOT = Path(__file__).parents[2]
SITE = "northwind-robotics.example"
SLOW_SITE = "slow-robotics.example"


class Stack:
    """One worker process at a time, configured like the demo's, against `dev_env`."""

    def __init__(self, client: Client, site: LoopbackSite, data: Path) -> None:
        self.raw = client
        """Sees what the server stores: ciphertext."""
        self.client = Client(
            client.service_client,
            namespace=client.namespace,
            data_converter=data_converter(PRIVACY),
        )
        """Reads runs as the worker and the doors do, with the suite's payload key."""
        self.site = site
        self.data = data
        self.task_queue = f"e2e-{uuid.uuid4()}"
        self.worker: asyncio.subprocess.Process | None = None
        hosts = f"{SITE},{SLOW_SITE}"
        self.env = os.environ | {
            "TEMPORAL_ADDRESS": client.service_client.config.target_host,
            "TEMPORAL_TASK_QUEUE": self.task_queue,
            "FLOWDESK_DATA_DIR": str(data),
            "FLOWDESK_FETCH_ALLOW_HOSTS": hosts,
            "FLOWDESK_FETCH_STATIC_HOSTS": f"{SITE}=127.0.0.1,{SLOW_SITE}=127.0.0.1",
        }

    async def start_worker(self) -> None:
        log = open(self.data / "worker.log", "ab")  # noqa: SIM115 (owned by the process)
        self.worker = await asyncio.create_subprocess_exec(
            sys.executable, str(ROOT / "worker.py"), env=self.env, stdout=log, stderr=log
        )
        for _ in range(150):
            if await self._polled_by(self.worker.pid):
                return
            await asyncio.sleep(0.2)
        raise AssertionError("worker did not start polling; see worker.log")

    async def _polled_by(self, pid: int) -> bool:
        response = await self.client.workflow_service.describe_task_queue(
            DescribeTaskQueueRequest(
                namespace=self.client.namespace,
                task_queue=TaskQueue(name=self.task_queue),
                task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
            )
        )
        return any(p.identity.startswith(f"{pid}@") for p in response.pollers)

    async def kill_worker(self) -> None:
        assert self.worker is not None
        self.worker.send_signal(signal.SIGKILL)
        await self.worker.wait()

    async def stop_worker(self) -> None:
        if self.worker and self.worker.returncode is None:
            self.worker.send_signal(signal.SIGTERM)
            await asyncio.wait_for(self.worker.wait(), 30)

    async def starter(self, *args: str) -> tuple[int, str, str]:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(ROOT / "starter.py"),
            *args,
            env=self.env,
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 120)
        return process.returncode or 0, out.decode(), err.decode()

    async def starter_until(self, *args: str, done: Callable[[str], bool]) -> str:
        """Rerun a read-only command until its output satisfies `done` (visibility lags)."""
        out = ""
        for _ in range(50):
            _, out, _ = await self.starter(*args)
            if done(out):
                break
            await asyncio.sleep(0.2)
        return out

    def lead_file(self, name: str, host: str, **fields: str) -> Path:
        lead = json.loads((ROOT / "examples/leads/1-northwind.json").read_text())
        lead |= {"website": self.site.url("/", host=host), **fields}
        path = self.data / f"{name}.json"
        path.write_text(json.dumps(lead))
        return path

    def outbox(self) -> list[mailbox.MaildirMessage]:
        return list(mailbox.Maildir(self.data / "outbox", create=False))


async def stored_in_clear(stack: Stack, workflow_id: str) -> bytes:
    """Everything the server keeps about a run, as it keeps it: the full history, its
    description (summary, details, search attributes) and its visibility row, as their
    protobuf bytes (payload data raw, not base64 as in their JSON form)."""
    handle = stack.raw.get_workflow_handle(workflow_id)
    history = await handle.fetch_history()
    described = await handle.describe()
    rows = [w.raw_info.SerializeToString() async for w in stack.raw.list_workflows(
        f'WorkflowId = "{workflow_id}"'
    )]  # fmt: skip
    return b"".join(
        [
            History(events=history.events).SerializeToString(),
            described.raw_description.SerializeToString(),
            *rows,
        ]
    )
