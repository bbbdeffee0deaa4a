"""The SMTP door under crafted mail: does one sender's message stall everyone else's?

`python -m bench.smtp_stall` starts a dev server and the real listener (`python -m
inbound`, its own process, as deployed), then sends `--crafted` messages of nearly the
allowed 2 MB in parallel, each built to make a mail parser work hard (a long folded
`From:` of encoded words, a `To:` of thousands of addresses, HTML of unclosed `<script`
tags, a MIME part whose `Content-Type` has thousands of parameters, thousands of MIME
parts, hundreds of parts with a thousand parameters each), while a probe delivers an ordinary support mail every `--probe-every` seconds.
It prints and writes `bench/results/smtp_stall_<date>.json`: for the probe, the time
from connecting to `250` (p50, p95, max) and the EHLO round trip; for the crafted
mails, each one's answer and time. `--deadline` bounds the run: a mail still
unanswered then is counted as such.
"""

import argparse
import json
import os
import secrets
import smtplib
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path

from config.privacy import new_key
from devstack.processes import free_port, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
SUPPORT = "support@flowdesk.example"
TARGET_BYTES = 1_990_000
"""Just under the listener's 2,000,000-byte limit: the largest message it must read."""


def _pad(unit: str, joiner: str, head: str, tail: str = "") -> str:
    count = (TARGET_BYTES - len(head) - len(tail) - 400) // (len(unit) + len(joiner))
    return head + joiner.join([unit] * count) + tail


def crafted(kind: str, index: int) -> bytes:
    """One hostile message of `kind`, close to the size limit, with CRLF line ends."""
    top = f"Message-ID: <crafted-{kind}-{index}-{time.time_ns()}@attacker.example>\r\n"
    top += f"To: {SUPPORT}\r\nSubject: crafted {kind}\r\n"
    if kind == "folded_from":
        return (_pad("=?utf-8?q?a=2Cb?=", "\r\n ", "From: ", " <a@attacker.example>") + "\r\n"
                + top + "\r\nhello\r\n").encode()  # fmt: skip
    if kind == "long_to":
        head = f"From: a@attacker.example\r\nMessage-ID: <to-{index}-{time.time_ns()}@x>\r\n"
        return (head + _pad("a.b@attacker.example", ",\r\n ", "To: ") + "\r\n\r\nhi\r\n").encode()
    sender = "From: a@attacker.example\r\n"
    if kind == "html_script":
        return (sender + top + "Content-Type: text/html\r\n\r\n"
                + _pad("<script>x", "\r\n", "")).encode()  # fmt: skip
    if kind == "part_params":
        head = sender + top + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
        params = _pad("p=v", ";\r\n ", "Content-Type: text/plain; ")
        return (head + params + "\r\n\r\nhello\r\n--b--\r\n").encode()
    if kind == "many_parts":
        head = sender + top + "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
        part = "--b\r\nContent-Type: text/html\r\n\r\n<p>x</p>"
        return (_pad(part, "\r\n", head, "\r\n--b--") + "\r\n").encode()
    if kind == "params_per_part":
        head = sender + top + "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
        params = ";\r\n ".join(["p=v"] * 1000)
        part = f"--b\r\nContent-Type: text/html; {params}\r\n\r\n<p>x</p>"
        return (_pad(part, "\r\n", head, "\r\n--b--") + "\r\n").encode()
    raise ValueError(kind)


KINDS = ("folded_from", "long_to", "html_script", "part_params", "many_parts", "params_per_part")


def ordinary(index: int) -> bytes:
    mail = EmailMessage()
    mail["From"], mail["To"] = "kim@acme.example", SUPPORT
    mail["Subject"], mail["Message-ID"] = "Invoice question", f"<probe-{index}-{time.time_ns()}@a>"
    mail.set_content("Where can I download last month's invoice as a PDF?")
    return mail.as_bytes(policy=policy.SMTP)


def deliver(port: int, raw: bytes, timeout: float) -> tuple[int, float, float]:
    """One SMTP transaction: the final code, the EHLO round trip and the whole time."""
    start = time.perf_counter()
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=timeout) as smtp:
            ehlo_at = time.perf_counter()
            smtp.ehlo()
            ehlo = time.perf_counter() - ehlo_at
            smtp.mail("sender@attacker.example")
            smtp.rcpt(SUPPORT)
            code, _ = smtp.data(raw)
    except (OSError, smtplib.SMTPException):
        return 0, float("nan"), time.perf_counter() - start
    return code, ehlo, time.perf_counter() - start


def start_listener(temporal: str, port: int) -> subprocess.Popen[bytes]:
    keys = {
        "FLOWDESK_PAYLOAD_KEYS": f"bench={new_key()}",
        "FLOWDESK_ID_SECRET": secrets.token_urlsafe(48),
    }  # this run's own
    env = {**os.environ, **keys, "TEMPORAL_ADDRESS": temporal,
           "FLOWDESK_INBOUND_SMTP_PORT": str(port), "PYTHONPATH": str(ROOT)}  # fmt: skip
    listener = subprocess.Popen([sys.executable, "-m", "inbound"], cwd=ROOT, env=env)
    wait_for_port(listener, port, "the SMTP listener", 20)
    return listener


def start_temporal(port: int, data: Path) -> subprocess.Popen[bytes]:
    cli = Path(sys.executable).parent / "temporal"
    server = subprocess.Popen(
        [str(cli), "server", "start-dev", "--headless", "--port", str(port),
         "--db-filename", str(data / "temporal.db"), "--log-level", "error"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    wait_for_port(server, port, "the Temporal dev server", 30)
    return server


def probe(port: int, every: float, stop: threading.Event, seen: list[tuple[int, float, float]]):
    index = 0
    while not stop.is_set():
        seen.append(deliver(port, ordinary(index), timeout=120))
        index += 1
        stop.wait(every)


def summary(values: list[float]) -> dict[str, float]:
    values = sorted(v for v in values if v == v)
    if not values:
        return {}
    pick = lambda q: values[min(len(values) - 1, int(q * len(values)))]  # noqa: E731
    return {"p50": round(statistics.median(values), 3), "p95": round(pick(0.95), 3),
            "max": round(values[-1], 3)}  # fmt: skip


def run(count: int, every: float, deadline: float, data: Path) -> dict[str, object]:
    temporal_port, smtp_port = free_port(), free_port()
    server = start_temporal(temporal_port, data)
    listener = start_listener(f"127.0.0.1:{temporal_port}", smtp_port)
    try:
        quiet: list[tuple[int, float, float]] = []
        for i in range(5):
            quiet.append(deliver(smtp_port, ordinary(-i - 1), timeout=30))
        mails = [crafted(KINDS[i % len(KINDS)], i) for i in range(count)]
        stop, seen = threading.Event(), []
        watcher = threading.Thread(target=probe, args=(smtp_port, every, stop, seen))
        watcher.start()
        started = time.perf_counter()
        with ProcessPoolExecutor(max_workers=count) as pool:  # their CPU is not the probe's
            futures = [pool.submit(deliver, smtp_port, raw, deadline) for raw in mails]
            results = [f.result() for f in futures]
        attack_s = time.perf_counter() - started
        stop.set()
        watcher.join()
    finally:
        listener.terminate()
        listener.wait(10)
        server.terminate()
        server.wait(10)
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "crafted": {
            "count": count, "bytes_each": [len(m) for m in mails][:len(KINDS)], "kinds": KINDS,
            "answered_250": sum(code == 250 for code, _, _ in results),
            "unanswered_within_deadline": sum(code == 0 for code, _, _ in results),
            "seconds": summary([t for _, _, t in results]), "all_done_s": round(attack_s, 2),
        },
        "probe_quiet": {"seconds_to_250": summary([t for _, _, t in quiet])},
        "probe_under_attack": {
            "deliveries": len(seen), "answered_250": sum(c == 250 for c, _, _ in seen),
            "seconds_to_250": summary([t for _, _, t in seen]),
            "ehlo_seconds": summary([e for _, e, _ in seen]),
            "within_1s": sum(c == 250 and t <= 1.0 for c, _, t in seen),
        },
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--crafted", type=int, default=20)
    parser.add_argument("--probe-every", type=float, default=0.25)
    parser.add_argument("--deadline", type=float, default=120.0)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data:
        report = run(args.crafted, args.probe_every, args.deadline, Path(data))
    text = json.dumps(report, indent=2)
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"smtp_stall_{datetime.now(UTC):%Y-%m-%d}.json").write_text(text + "\n")


if __name__ == "__main__":
    main()
