"""Measures the LLM endpoint's tokens-per-minute limit with two concurrent workers.

Two processes, each with its own `TokenRate` over one CRM database file (as two worker
hosts sharing it), call a pretend endpoint as fast as the limit lets them: reserve,
"call" (a short sleep), settle to a random usage from half the reservation up to
`--overrun` times it (steps can use more than they reserve: a long mail). The report is
the busiest sliding window's tokens against the limit, and the calls in each minute.

    .venv/bin/python -m bench.llm_rate --seconds 180 --tpm 6000 --reserve 700 [--overrun 2]
"""

import argparse
import asyncio
import json
import multiprocessing
import random
import tempfile
import time
from pathlib import Path

from adapters.crm.crm import SqliteCrm
from adapters.crm.token_rate import TokenRate
from models.limits import LlmRate

ENDPOINT = "http://bench.invalid/v1"
CALL_SECONDS = 0.2


async def caller(
    path: Path, rate: LlmRate, until: float, seed: int, overrun: float
) -> list[tuple[float, int]]:
    tokens, draw = TokenRate(SqliteCrm(path), ENDPOINT, rate), random.Random(seed)
    calls: list[tuple[float, int]] = []
    while time.time() < until:
        row, wait = await tokens.try_reserve()
        if row is None:
            await asyncio.sleep(min(wait, until - time.time()) if wait > 0 else 0)
            continue
        started = time.time()
        await asyncio.sleep(CALL_SECONDS)
        used = draw.randint(rate.reserve_tokens // 2, int(rate.reserve_tokens * overrun))
        await tokens.settle(row, used)
        calls.append((started, used))
    return calls


def worker(
    path: str, rate: str, until: float, seed: int, overrun: float, out: "multiprocessing.Queue"
) -> None:
    limit = LlmRate.model_validate_json(rate)
    out.put(asyncio.run(caller(Path(path), limit, until, seed, overrun)))


def report(calls: list[tuple[float, int]], rate: LlmRate, began: float) -> dict[str, object]:
    window = rate.window.total_seconds()
    calls.sort()
    busiest = max(sum(t for at, t in calls if start <= at < start + window) for start, _ in calls)
    minutes = int((calls[-1][0] - began) // 60) + 1
    per_minute = [
        sum(1 for at, _ in calls if began + 60 * m <= at < began + 60 * (m + 1))
        for m in range(minutes)
    ]
    return {
        "limit_tokens_per_minute": rate.tokens_per_minute,
        "reserve_tokens": rate.reserve_tokens,
        "calls": len(calls),
        "tokens": sum(t for _, t in calls),
        "busiest_window_tokens": busiest,
        "calls_per_minute": per_minute,
        "tokens_per_call_mean": round(sum(t for _, t in calls) / len(calls)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=180)
    parser.add_argument("--tpm", type=int, default=6000)
    parser.add_argument("--reserve", type=int, default=700)
    parser.add_argument("--overrun", type=float, default=1.0, help="most usage / reservation")
    args = parser.parse_args()
    rate = LlmRate(tokens_per_minute=args.tpm, reserve_tokens=args.reserve)
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "crm.sqlite3"
        SqliteCrm(path)  # the schema, before both race to create it
        began = time.time()
        out: multiprocessing.Queue = multiprocessing.Queue()
        procs = [
            multiprocessing.Process(
                target=worker,
                args=(
                    str(path),
                    rate.model_dump_json(),
                    began + args.seconds,
                    n,
                    args.overrun,
                    out,
                ),
            )
            for n in range(2)
        ]
        for proc in procs:
            proc.start()
        calls = [call for _ in procs for call in out.get()]
        for proc in procs:
            proc.join()
    print(json.dumps(report(calls, rate, began), indent=2))


if __name__ == "__main__":
    main()
