"""The embedded model served by `devstack.llm.serve`, but with N server slots.

The demo runs llama.cpp with one slot, so the agent-path benchmark starts the same
model (the same joined and hash-checked file, alias, threads) with N parallel
sequences; every slot keeps the 4k context a ticket gets in the product. The metrics
and slots endpoints are switched on, so the benchmark can read the server's own
compute time and prove how many slots it runs.

    python -m bench.agent.llm_slots --port 8092 --slots 4 --threads 2 --context 4096
"""

import argparse
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from devstack.llm import ModelError, assemble, serve
from devstack.processes import free_port

METRIC = re.compile(r"^llamacpp:(\w+) ([0-9.eE+-]+)$", re.M)
READY_POLLS = 900
"""0.2-s polls: loading the 0.5B model takes a few seconds, joining its slices ~10 s."""


@contextmanager
def running(slots: int, threads: int, context: int, log: Path) -> Iterator[str]:
    """A server with `slots` slots on a free loopback port, for the block; yields its
    `/v1` base URL. llama.cpp's own log (slot sizes, per-request timings) goes to `log`."""
    port = free_port()
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.agent.llm_slots", "--port", str(port), "--slots", str(slots),
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
    serve(model, "127.0.0.1", args.port, args.threads, args.context, args.slots, introspect=True)


if __name__ == "__main__":
    main()
