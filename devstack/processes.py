"""Start, find and stop detached processes by pid file; wait for readiness by polling."""

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path


class StackError(Exception):
    """A stack component did not start or did not become ready."""


def _read_pid(pid_file: Path) -> int | None:
    try:
        return int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None


def is_running(pid_file: Path) -> bool:
    pid = _read_pid(pid_file)
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return _state(pid) != "Z"


def _state(pid: int) -> str:
    """The process state letter from /proc (Z is a zombie: exited, not yet reaped)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "?"


def start(
    name: str, argv: list[str], run_dir: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start `argv` in its own session (it outlives the caller), log to var/log/NAME.log."""
    log_dir = run_dir.parent / "log"
    log_dir.mkdir(parents=True, exist_ok=True)
    with open(log_dir / f"{name}.log", "ab") as log:
        process = subprocess.Popen(
            argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
    (run_dir / f"{name}.pid").write_text(str(process.pid))
    return process


def stop(pid_file: Path, grace_s: float = 15.0) -> bool:
    """SIGTERM, wait up to `grace_s`, then SIGKILL. False when nothing was running."""
    pid = _read_pid(pid_file)
    running = is_running(pid_file)
    pid_file.unlink(missing_ok=True)
    if pid is None or not running:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        if _state(pid) == "Z":
            return True
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    return True


def free_port() -> int:
    """A loopback port nothing listens on now, for a server started next."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(process: subprocess.Popen[bytes], port: int, what: str, timeout_s: float) -> None:
    """Poll until `process` listens on the loopback `port`; if it does not in time, kill
    it and fail naming `what`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if port_open("127.0.0.1", port):
            return
        time.sleep(0.05)
    process.kill()
    raise StackError(f"{what} did not start")


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_until(what: str, ready: Callable[[], bool], timeout_s: float, alive: Path) -> None:
    """Poll `ready` every 200 ms; fail fast if the process behind `alive` died."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if ready():
            return
        if not is_running(alive):
            raise StackError(f"{what} exited during start-up; see var/log/{alive.stem}.log")
        time.sleep(0.2)
    raise StackError(f"{what} not ready after {timeout_s:.0f}s; see var/log/{alive.stem}.log")
