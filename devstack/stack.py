"""`up` and `down` for the embedded stack; every readiness check polls, none sleeps blindly."""

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
from pydantic import SecretStr

from config.doors import InboundSettings, WebSettings
from config.privacy import PrivacySettings
from config.settings import LlmSettings, TemporalSettings
from devstack import processes
from devstack.keys import VAR, demo_secrets
from models import search_attributes
from web.auth import hash_password

ROOT = Path(__file__).resolve().parent.parent
RUN = VAR / "run"
SITES_DIR = ROOT / "examples" / "sites"
TEMPORAL_PORT = 7233
UI_PORT = 8233
SITES_PORT = 8780
METRICS_PORT = 9464
"""The worker's Prometheus endpoint (`config/telemetry.py`), the exporters' customary port."""
DOWN_SITES = ("oldfield-textiles.example",)
"""Hosts with no server behind them, to show the enrichment fallback."""
COMPONENTS = ("web", "inbound", "worker", "llm", "sites", "temporal")
"""In stop order; `up` starts them in reverse."""
DEMO_REVIEWER = ("demo", "demo")
"""The reviewer inbox's only account in the demo; production has none built in."""


def demo_env() -> dict[str, str]:
    """The worker's configuration for the demo: example sites resolve to loopback and are
    allowlisted here only; production settings never allow private addresses. The worker
    serves metrics on `METRICS_PORT`."""
    hosts = sorted(p.name for p in SITES_DIR.iterdir() if p.is_dir()) + list(DOWN_SITES)
    return (
        os.environ
        | {
            "TEMPORAL_ADDRESS": f"127.0.0.1:{TEMPORAL_PORT}",
            "TEMPORAL_UI_URL": f"http://127.0.0.1:{UI_PORT}",
            "FLOWDESK_DATA_DIR": str(VAR / "data"),
            "FLOWDESK_FETCH_STATIC_HOSTS": ",".join(f"{h}=127.0.0.1" for h in hosts),
            "FLOWDESK_FETCH_ALLOW_HOSTS": ",".join(hosts),
            "FLOWDESK_METRICS_PORT": str(METRICS_PORT),
        }
        | demo_secrets()
    )


def privacy_settings() -> PrivacySettings:
    env = demo_secrets()
    return PrivacySettings(
        payload_keys=env["FLOWDESK_PAYLOAD_KEYS"],  # type: ignore[arg-type]  # parsed
        id_secret=SecretStr(env["FLOWDESK_ID_SECRET"]),
    )


def temporal_settings() -> TemporalSettings:
    env = demo_env()
    return TemporalSettings(address=env["TEMPORAL_ADDRESS"], ui_url=env["TEMPORAL_UI_URL"])


def _bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def _ui_ready() -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{UI_PORT}/", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _start_temporal() -> None:
    argv = [
        _bin("temporal"), "server", "start-dev",
        "--db-filename", str(VAR / "temporal.db"),
        "--ip", "127.0.0.1",
        "--port", str(TEMPORAL_PORT),
        "--ui-port", str(UI_PORT),
        "--ui-disable-news-fetch",
        "--ui-codec-endpoint", f"{WebSettings().public_url}/codec",
        "--log-level", "warn",
    ]  # fmt: skip
    processes.start("temporal", argv, RUN)
    pid = RUN / "temporal.pid"
    processes.wait_until(
        "Temporal server", lambda: processes.port_open("127.0.0.1", TEMPORAL_PORT), 60, pid
    )
    processes.wait_until("Temporal Web UI", _ui_ready, 60, pid)


def register_search_attributes() -> None:
    """Create this project's search attributes; creating an existing one is a no-op, so
    a database made by an older version gains the attributes added since."""
    settings = temporal_settings()
    for key in search_attributes.ALL:
        created = subprocess.run(
            [_bin("temporal"), "operator", "search-attribute", "create",
             "--name", key.name, "--type", key.indexed_value_type.name.title(),
             "--address", settings.address, "--namespace", settings.namespace],
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip
        if created.returncode != 0:
            raise processes.StackError(
                f"cannot create search attribute {key.name}: {created.stderr}"
            )


def _worker_polling(pid: int) -> bool:
    """The new worker process (identity `pid@host`) is polling the task queue."""
    settings = temporal_settings()
    described = subprocess.run(
        [_bin("temporal"), "task-queue", "describe", "--task-queue", settings.task_queue,
         "--address", settings.address, "--namespace", settings.namespace, "-o", "json"],
        capture_output=True, text=True, timeout=10,
    )  # fmt: skip
    if described.returncode != 0:
        return False
    pollers = json.loads(described.stdout).get("pollers") or []
    return any(p.get("identity", "").startswith(f"{pid}@") for p in pollers)


def _start_worker() -> None:
    worker = processes.start("worker", [sys.executable, str(ROOT / "worker.py")], RUN, demo_env())
    processes.wait_until("worker", lambda: _worker_polling(worker.pid), 60, RUN / "worker.pid")


def _start_web() -> None:
    """The form endpoint and the reviewer inbox; the demo reviewer's hash is made here, so
    no password hash of a known password ships with the project."""
    user, password = DEMO_REVIEWER
    env = demo_env() | {"FLOWDESK_WEB_USERS": f"{user}:{hash_password(password)}"}
    processes.start("web", [sys.executable, "-m", "web"], RUN, env)
    web = WebSettings()
    processes.wait_until(
        "web service", lambda: processes.port_open(web.host, web.port), 30, RUN / "web.pid"
    )


def _start_inbound() -> None:
    """The SMTP listener for the support address; the demo mails its tickets to it."""
    processes.start("inbound", [sys.executable, "-m", "inbound"], RUN, demo_env())
    inbound = InboundSettings()
    processes.wait_until(
        "SMTP listener",
        lambda: processes.port_open(inbound.smtp_host, inbound.smtp_port),
        30,
        RUN / "inbound.pid",
    )


def _start_sites() -> None:
    argv = [sys.executable, "-m", "devstack.sites", "--root", str(SITES_DIR)]
    processes.start("sites", argv + ["--port", str(SITES_PORT)], RUN)
    processes.wait_until(
        "demo websites", lambda: processes.port_open("127.0.0.1", SITES_PORT), 30, RUN / "sites.pid"
    )


def _llm_ready(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _start_llm() -> None:
    settings = LlmSettings()
    argv = [
        sys.executable, "-m", "devstack.llm",
        "--models-dir", str(VAR / "models"),
        "--port", str(settings.local_port),
        "--threads", str(settings.local_threads),
        "--context", str(settings.local_context),
    ]  # fmt: skip
    processes.start("llm", argv, RUN)
    processes.wait_until("local LLM", lambda: _llm_ready(settings.local_port), 180, RUN / "llm.pid")


STARTERS = {
    "temporal": _start_temporal,
    "sites": _start_sites,
    "llm": _start_llm,
    "worker": _start_worker,
    "inbound": _start_inbound,
    "web": _start_web,
}


def up() -> None:
    RUN.mkdir(parents=True, exist_ok=True)
    for name in reversed(COMPONENTS):
        if processes.is_running(RUN / f"{name}.pid"):
            print(f"  {name:<9} already running (pid file var/run/{name}.pid)")
        else:
            STARTERS[name]()
            print(f"  {name:<9} started, log var/log/{name}.log")
        if name == "temporal":
            register_search_attributes()


def down() -> None:
    for name in COMPONENTS:
        stopped = processes.stop(RUN / f"{name}.pid")
        print(f"  {name:<9} {'stopped' if stopped else 'was not running'}")
