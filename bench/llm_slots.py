"""The embedded model served as `devstack.llm` serves it, but with N server slots.

`devstack.llm` runs llama.cpp with one slot (`n_parallel = 1`), so the agent-path
benchmark cannot ask it for parallel sequences; this module starts the same model
(the same joined and hash-checked file, alias, threads) with `n_parallel = N`. Without
a unified KV cache llama.cpp splits `n_ctx` evenly between the slots, so `n_ctx` is
the product's context times N: every slot keeps the 4k context a ticket gets in the
product. The metrics and slots endpoints are switched on, so the benchmark can read
the server's own compute time and prove how many slots it runs.

    python -m bench.llm_slots --port 8092 --slots 4 --threads 2 --context 4096
"""

import argparse
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from devstack.llm import MODEL_ALIAS, ModelError, assemble

METRIC = re.compile(r"^llamacpp:(\w+) ([0-9.eE+-]+)$", re.M)
READY_POLLS = 900
"""0.2-s polls: loading the 0.5B model takes a few seconds, joining its slices ~10 s."""


def serve(model: Path, port: int, slots: int, threads: int, context: int) -> None:
    """Run llama.cpp's server until SIGTERM/SIGINT (as `devstack.llm.serve`, plus slots)."""
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(model)
    params.model_alias = MODEL_ALIAS
    params.hostnames = ["127.0.0.1"]
    params.port = port
    params.n_parallel = slots
    params.kv_unified = False
    params.n_ctx = context * slots
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.endpoint_metrics = True
    params.endpoint_slots = True
    server = xllamacpp.Server(params)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    print(f"serving {model.name} with {slots} slot(s) on 127.0.0.1:{port}", flush=True)
    stop.wait()
    del server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running(slots: int, threads: int, context: int, log: Path) -> Iterator[str]:
    """A server with `slots` slots on a free loopback port, for the block; yields its
    `/v1` base URL. llama.cpp's own log (slot sizes, per-request timings) goes to `log`."""
    port = free_port()
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.llm_slots", "--port", str(port), "--slots", str(slots),
             "--threads", str(threads), "--context", str(context)],
            stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            for _ in range(READY_POLLS):
                if process.poll() is not None:
                    raise SystemExit(f"the model server failed to start; see {log}")
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.2)
            else:
                raise SystemExit(f"the model server did not become ready; see {log}")
            yield f"http://127.0.0.1:{port}/v1"
        finally:
            process.terminate()
            process.wait(30)


def slot_contexts(base_url: str) -> list[int]:
    """Each slot's context size as the server reports it: the proof of N slots of 4k."""
    root = base_url.removesuffix("/v1")
    return [int(slot["n_ctx"]) for slot in httpx.get(f"{root}/slots", timeout=5).json()]


def counters(base_url: str) -> dict[str, float]:
    """llama.cpp's cumulative counters (`prompt_seconds_total`, `tokens_predicted_total`, ...):
    their change over a run is the server's own compute, however the run called it."""
    root = base_url.removesuffix("/v1")
    text = httpx.get(f"{root}/metrics", timeout=5).text
    return {name: float(value) for name, value in METRIC.findall(text)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models-dir", type=Path, default=Path("var/models"))
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--slots", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--context", type=int, default=4096, help="per slot")
    args = parser.parse_args()
    try:
        model = assemble(args.models_dir)
    except ModelError as err:
        raise SystemExit(f"error: {err}") from None
    serve(model, args.port, args.slots, args.threads, args.context)


if __name__ == "__main__":
    main()
