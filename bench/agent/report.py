"""Figures and the printed table of the agent-path benchmark (`bench.agent.path`).

Overheads are ratios of sums over the same tickets (activity time minus direct time,
over direct time), so a long draft weighs as much as it costs; the time outside the
model (wall minus llama.cpp's own compute) is given per ticket too, since it is the
part of the difference that the path, not the model, is responsible for.
"""

import statistics
from typing import Any

Row = dict[str, Any]
ROLES = ("topic", "classify", "draft")
ACTIVITY_ROLES = {"classify_email": ("topic", "classify"), "draft_reply": ("draft",)}


def _ratio(part: float, whole: float) -> float | None:
    return round(part / whole, 3) if whole else None


def _overhead_pct(activity: float, direct: float) -> float | None:
    return round((activity - direct) / direct * 100, 2) if direct else None


def call_stats(calls: list[Row]) -> Row:
    """Latency, tokens from `usage`, tokens per second and latency per 1k tokens."""
    if not calls:
        return {"n": 0}
    latency = [c["latency_ms"] for c in calls]
    tokens = sum(c["prompt_tokens"] + c["completion_tokens"] for c in calls)
    completion = sum(c["completion_tokens"] for c in calls)
    seconds = sum(latency) / 1000
    stats: Row = {
        "n": len(calls),
        "p50_ms": round(statistics.median(latency), 1),
        "mean_ms": round(statistics.fmean(latency), 1),
        "prompt_tokens": round(statistics.fmean(c["prompt_tokens"] for c in calls), 1),
        "completion_tokens": round(statistics.fmean(c["completion_tokens"] for c in calls), 1),
        "tokens_per_s": round(tokens / seconds, 1),
        "completion_tokens_per_s": round(completion / seconds, 1),
        "ms_per_1k_tokens": round(sum(latency) / tokens * 1000, 1) if tokens else None,
    }
    server = [c["server_ms"] for c in calls if c.get("server_ms") is not None]
    if len(server) == len(calls):
        stats["server_mean_ms"] = round(statistics.fmean(server), 1)
        stats["outside_server_mean_ms"] = round(stats["mean_ms"] - stats["server_mean_ms"], 1)
    return stats


def _calls(rows: list[Row], path: str, roles: tuple[str, ...]) -> list[Row]:
    return [c for r in rows for c in r[path]["calls"] if c["role"] in roles]


def per_activity(rows: list[Row]) -> Row:
    """Each activity as the server saw it (scheduled -> completed) against the same calls
    made directly, and against the calls' own time inside the activity."""
    figures: Row = {}
    for name, roles in ACTIVITY_ROLES.items():
        used = [r for r in rows if name in r["activity"]["spans"]]
        direct = sum(c["latency_ms"] for c in _calls(used, "direct", roles))
        inside = sum(c["latency_ms"] for c in _calls(used, "activity", roles))
        span = sum(r["activity"]["spans"][name] for r in used)
        figures[name] = {
            "n": len(used),
            "direct_mean_ms": round(direct / len(used), 1) if used else None,
            "in_activity_client_mean_ms": round(inside / len(used), 1) if used else None,
            "activity_mean_ms": round(span / len(used), 1) if used else None,
            "overhead_pct": _overhead_pct(span, direct),
        }
    for name in ("search_knowledge_base", "workflow_tasks"):
        spans = [r["activity"]["spans"].get(name, 0.0) for r in rows]
        figures[name] = {"activity_mean_ms": round(statistics.fmean(spans), 1) if spans else None}
    return figures


def _tokens(rows: list[Row], path: str) -> int:
    return sum(c["prompt_tokens"] + c["completion_tokens"] for r in rows for c in r[path]["calls"])


def per_ticket(rows: list[Row]) -> Row:
    """Whole tickets: wall time, the server's compute in it, and what lies outside it."""
    figures: Row = {"n": len(rows)}
    for path in ("direct", "activity"):
        wall = [r[path]["wall_ms"] for r in rows]
        server = [r[path]["server_ms"] for r in rows]
        figures[path] = {
            "mean_ms": round(statistics.fmean(wall), 1),
            "server_mean_ms": round(statistics.fmean(server), 1),
            "outside_server_mean_ms": round(
                statistics.fmean(w - s for w, s in zip(wall, server, strict=True)), 1
            ),
            "cached_prompt_tokens": sum(r[path]["cached_prompt_tokens"] for r in rows),
            "server_ms_per_1k_tokens": round(sum(server) * 1000 / _tokens(rows, path), 1),
        }
    direct, activity = figures["direct"], figures["activity"]
    figures["overhead_pct"] = _overhead_pct(activity["mean_ms"], direct["mean_ms"])
    outside = activity["outside_server_mean_ms"] - direct["outside_server_mean_ms"]
    figures["overhead_outside_server_ms"] = round(outside, 1)
    figures["path_overhead_pct"] = round(outside / direct["mean_ms"] * 100, 2)
    figures["overhead_median_pct"] = round(
        statistics.median(
            (r["activity"]["wall_ms"] - r["direct"]["wall_ms"]) / r["direct"]["wall_ms"] * 100
            for r in rows
        ),
        2,
    )
    return figures


def same_prompts(rows: list[Row]) -> Row:
    """Equal prompt tokens per call on both paths: the same prompts were sent."""

    def shape(row: Row, path: str, field: str) -> list[tuple[str, int]]:
        return sorted((c["role"], c[field]) for c in row[path]["calls"])

    return {
        "prompt_tokens_equal": sum(
            shape(r, "direct", "prompt_tokens") == shape(r, "activity", "prompt_tokens")
            for r in rows
        ),
        "completion_tokens_equal": sum(
            shape(r, "direct", "completion_tokens") == shape(r, "activity", "completion_tokens")
            for r in rows
        ),
        "tickets": len(rows),
        "repaired_calls": sum(
            c.get("repaired", False) for r in rows for c in r["activity"]["calls"]
        ),
    }


def _blocks(level: Row, path: str) -> list[Row]:
    return [block for block in level["blocks"] if block["path"] == path]


def paired_rows(level: Row) -> list[Row]:
    """The one-at-a-time tickets as (direct, activity) pairs, the k-th block of one path
    with the k-th of the other; tickets that failed on either path are left out."""
    rows = []
    for direct, activity in zip(_blocks(level, "direct"), _blocks(level, "activity"), strict=True):
        for d, a in zip(direct["rows"], activity["rows"], strict=True):
            if "error" not in d and "error" not in a:
                rows.append({"id": d["id"], "direct": d, "activity": a})
    return rows


def throughput(levels: list[Row]) -> list[Row]:
    """Tickets per minute per path at each level, over the blocks' wall time; the direct
    path's is the server's own throughput at that parallelism."""
    table = []
    for level in levels:
        figures: Row = {}
        for path in ("direct", "activity"):
            blocks = _blocks(level, path)
            wall = sum(b["wall_ms"] for b in blocks)
            figures[path] = round(sum(b["tickets"] for b in blocks) * 60_000 / wall, 2)
            figures[f"{path}_tokens_per_s"] = round(
                sum(b["tokens"] for b in blocks) * 1000 / wall, 1
            )
            figures[f"{path}_block_s"] = [round(b["wall_ms"] / 1000, 1) for b in blocks]
            done = sum(b["tickets"] for b in blocks)
            computed = sum(b["server"]["prompt_tokens_total"] for b in blocks)
            cached = sum(b["server"]["prompt_tokens_cached_total"] for b in blocks)
            figures[f"{path}_cached_prompt_share"] = _ratio(cached, computed + cached)
            figures[f"{path}_cpu_ms_per_ticket"] = {
                process: round(sum(b["cpu_s"][process] for b in blocks) * 1000 / done)
                for process in blocks[0]["cpu_s"]
            }
        first = level["blocks"][0]
        table.append(
            {
                "in_flight": level["in_flight"],
                "slots": len(first["slot_contexts"]),
                "slot_context": first["slot_contexts"][0],
                "server_tickets_per_min": figures["direct"],
                "triage_tickets_per_min": figures["activity"],
                "ratio": _ratio(figures["activity"], figures["direct"]),
                "server_tokens_per_s": figures["direct_tokens_per_s"],
                "triage_tokens_per_s": figures["activity_tokens_per_s"],
                "server_block_s": figures["direct_block_s"],
                "triage_block_s": figures["activity_block_s"],
                "server_cached_prompt_share": figures["direct_cached_prompt_share"],
                "triage_cached_prompt_share": figures["activity_cached_prompt_share"],
                "server_cpu_ms_per_ticket": figures["direct_cpu_ms_per_ticket"],
                "triage_cpu_ms_per_ticket": figures["activity_cpu_ms_per_ticket"],
                "errors": [e for b in level["blocks"] for e in b["errors"]],
            }
        )
    return table


def summarize(levels: list[Row], model: str, threads: int) -> Row:
    single = next(level for level in levels if level["in_flight"] == 1)
    rows = paired_rows(single)
    return {
        "model": model,
        "server_threads": threads,
        "calls": {
            role: {path: call_stats(_calls(rows, path, (role,))) for path in ("direct", "activity")}
            for role in ROLES
        },
        "activities": per_activity(rows),
        "ticket": per_ticket(rows),
        "same_prompts": same_prompts(rows),
        "throughput": throughput(levels),
    }


def print_table(result: Row) -> None:
    print(f"model {result['model']}, {result['server_threads']} server threads, "
          f"{result['ticket']['n']} tickets, machine load {result['machine']['load_before']}")  # fmt: skip
    print("\ncall      path      p50 ms  mean ms  prompt tok  compl tok  tok/s  ms/1k tok")
    for role, paths in result["calls"].items():
        for path, s in paths.items():
            if s["n"]:
                print(f"{role:<9} {path:<9} {s['p50_ms']:>7.0f} {s['mean_ms']:>8.0f} "
                      f"{s['prompt_tokens']:>11.0f} {s['completion_tokens']:>10.0f} "
                      f"{s['tokens_per_s']:>6.0f} {s['ms_per_1k_tokens']:>10.0f}")  # fmt: skip
    print("\nactivity              direct ms  in-activity ms  activity ms  overhead")
    for name in ("classify_email", "draft_reply"):
        a = result["activities"][name]
        print(f"{name:<21} {a['direct_mean_ms']:>9.0f} {a['in_activity_client_mean_ms']:>15.0f} "
              f"{a['activity_mean_ms']:>12.0f} {a['overhead_pct']:>8.2f} %")  # fmt: skip
    t = result["ticket"]
    print(f"ticket (start->result) {t['direct']['mean_ms']:>8.0f} {'':>15} "
          f"{t['activity']['mean_ms']:>12.0f} {t['overhead_pct']:>8.2f} % "
          f"(median {t['overhead_median_pct']:.2f} %; outside the model: direct "
          f"{t['direct']['outside_server_mean_ms']:.0f} ms, activity "
          f"{t['activity']['outside_server_mean_ms']:.0f} ms)")  # fmt: skip
    print(f"path overhead (time outside llama.cpp's compute, over the direct ticket): "
          f"{t['overhead_outside_server_ms']:.0f} ms per ticket = {t['path_overhead_pct']:.2f} %; "
          f"llama.cpp compute per 1k tokens: direct {t['direct']['server_ms_per_1k_tokens']:.0f} "
          f"ms, activity {t['activity']['server_ms_per_1k_tokens']:.0f} ms")  # fmt: skip
    print("\nin flight  slots  server tickets/min  triage tickets/min  ratio  "
          "CPU ms/ticket server | triage (bench, temporal, llama)")  # fmt: skip
    for level in result["throughput"]:
        cpu = [list(level[f"{p}_cpu_ms_per_ticket"].values()) for p in ("server", "triage")]
        print(f"{level['in_flight']:>9} {level['slots']:>6} {level['server_tickets_per_min']:>19.2f} "
              f"{level['triage_tickets_per_min']:>19.2f} {level['ratio']:>6.3f}  {cpu[0]} | {cpu[1]}")  # fmt: skip
    same = result["same_prompts"]
    print(f"\nprompt tokens equal on both paths in {same['prompt_tokens_equal']}/"
          f"{same['tickets']} tickets, completions in {same['completion_tokens_equal']}/"
          f"{same['tickets']}; errors: {[e for t in result['throughput'] for e in t['errors']]}")  # fmt: skip
