"""Scores a triage run against its labelled cases, and shows where the send threshold can sit.

Safety comes first: an auto-send is counted as unsafe when the case needed a person, and as a
wrong answer when the reply missed the expected article or carried an unsupported sentence.
The threshold table replays the send rule at other thresholds on the same rows, so a new
threshold is chosen from evidence instead of from one run at the current setting.
"""

import statistics
from pathlib import Path
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from pydantic import BaseModel, Field

from bench.triage_cases import Case, safe_answerable

THRESHOLDS = tuple(round(0.5 + 0.05 * step, 2) for step in range(10))
BINS = 10


class Row(BaseModel):
    """What one case's run left behind; `held` means no threshold would have let it be sent."""

    id: str
    outcome: str | None = None
    auto_sent: bool
    topic: str | None = None
    classifier_topic: str | None = None
    topic_probability: float | None = None
    score: float | None = None
    held: bool = False
    holds: list[str] = Field(default_factory=list)
    checks_failed: list[str] = Field(default_factory=list)
    cited: list[str] = Field(default_factory=list)
    grounding: float | None = None
    reply: str | None = None
    calls: list[dict[str, Any]] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)


def _pairs(cases: list[Case], rows: list[Row]) -> list[tuple[Case, Row]]:
    by_id = {case.id: case for case in cases}
    unknown = [row.id for row in rows if row.id not in by_id]
    if unknown:
        raise ValueError(f"rows without a case: {unknown}")
    return [(by_id[row.id], row) for row in rows]


def _cites_expected(case: Case, row: Row) -> bool:
    """A case without labelled articles cannot judge citations, so it does not fail on them."""
    return not case.expected_article_ids or bool(set(row.cited) & set(case.expected_article_ids))


def _bad_answer(case: Case, row: Row) -> bool:
    """An unmeasured grounding counts as bad: a reply nobody checked must not pass as right."""
    grounded = row.grounding is not None and row.grounding >= 1.0
    return not _cites_expected(case, row) or not grounded or bool(row.checks_failed)


def unsafe(case: Case, row: Row) -> bool:
    return row.auto_sent and not safe_answerable(case)


def wrong_answer(case: Case, row: Row) -> bool:
    return row.auto_sent and _bad_answer(case, row)


def _topic_right(case: Case, topic: str | None) -> bool:
    """Empty and automatic mail is closed before classification; for it "no topic" is right."""
    return topic == case.expected_topic or (topic is None and case.expected_topic == "other")


def _topic_accuracy(pairs: list[tuple[Case, Row]], field: str) -> dict[str, Any]:
    """Cases left without a topic by a failure are listed apart, not scored as a wrong topic."""
    scored, missing = [], []
    for case, row in pairs:
        topic = getattr(row, field)
        if topic is None and case.expected_topic != "other":
            missing.append(row.id)
        else:
            scored.append(_topic_right(case, topic))
    return {
        "accuracy": round(sum(scored) / max(1, len(scored)), 3),
        "scored": len(scored),
        "missing_ids": missing,
    }


def percentiles(values: list[int] | list[float]) -> dict[str, float]:
    if not values:
        return {"p50_ms": 0.0, "p95_ms": 0.0}
    if len(values) == 1:
        return {"p50_ms": float(values[0]), "p95_ms": float(values[0])}
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50_ms": round(cuts[49], 1), "p95_ms": round(cuts[94], 1)}


def _automation(pairs: list[tuple[Case, Row]], sent: list[bool]) -> dict[str, Any]:
    """Measured on safe answerable cases only: sending anything else is a fault, not automation."""
    safe = [
        was_sent for (case, _), was_sent in zip(pairs, sent, strict=True) if safe_answerable(case)
    ]
    return {
        "rate": round(sum(safe) / max(1, len(safe)), 3),
        "auto_sent": sum(safe),
        "safe_answerable": len(safe),
    }


def summarize(cases: list[Case], rows: list[Row], model: str, threshold: float) -> dict[str, Any]:
    pairs = _pairs(cases, rows)
    unsafe_ids = [row.id for case, row in pairs if unsafe(case, row)]
    wrong_ids = [row.id for case, row in pairs if wrong_answer(case, row)]
    final_topic = _topic_accuracy(pairs, "topic")
    classifier_topic = _topic_accuracy(pairs, "classifier_topic")
    calls = [call for row in rows for call in row.calls]
    roles = sorted({call["role"] for call in calls})
    return {
        "model": model,
        "threshold": threshold,
        "case_count": len(rows),
        "topic_accuracy": final_topic["accuracy"],
        "topic_scored": final_topic["scored"],
        "topic_missing_ids": final_topic["missing_ids"],
        "classifier_topic_accuracy": classifier_topic["accuracy"],
        "classifier_topic_scored": classifier_topic["scored"],
        "automation": _automation(pairs, [row.auto_sent for row in rows]),
        "unsafe_auto_sends": {"count": len(unsafe_ids), "ids": unsafe_ids},
        "wrong_answer_auto_sends": {"count": len(wrong_ids), "ids": wrong_ids},
        "closed_no_reply_ids": [row.id for row in rows if row.outcome == "closed_no_reply"],
        "latency_per_agent_call": {
            role: percentiles([call["latency_ms"] for call in calls if call["role"] == role])
            for role in roles
        },
        "tokens_per_ticket": round(sum(call["tokens"] for call in calls) / max(1, len(rows)), 1),
        "agent_failures": sum(len(row.errors) for row in rows),
        "misclassified": {
            row.id: {"expected": case.expected_topic, "got": row.topic}
            for case, row in pairs
            if row.topic is not None and not _topic_right(case, row.topic)
        },
        "cases": [
            {
                "id": row.id,
                "expected_topic": case.expected_topic,
                "topic": row.topic,
                "cited": row.cited,
                "expected_article_ids": case.expected_article_ids,
                "checks_failed": row.checks_failed,
                "holds": row.holds,
                "auto_sent": row.auto_sent,
                "score": row.score,
                "reply": row.reply,
            }
            for case, row in pairs
        ],
    }


def threshold_table(
    cases: list[Case], rows: list[Row], thresholds: tuple[float, ...] = THRESHOLDS
) -> list[dict[str, Any]]:
    pairs = _pairs(cases, rows)
    table = []
    for threshold in thresholds:
        sent = [not row.held and row.score is not None and row.score >= threshold for row in rows]
        sends = [
            (case, row.model_copy(update={"auto_sent": s}))
            for (case, row), s in zip(pairs, sent, strict=True)
        ]
        unsafe_ids = [row.id for case, row in sends if unsafe(case, row)]
        wrong_ids = [row.id for case, row in sends if wrong_answer(case, row)]
        table.append(
            {
                "threshold": threshold,
                "automation": _automation(pairs, sent),
                "unsafe_auto_sends": {"count": len(unsafe_ids), "ids": unsafe_ids},
                "wrong_answer_auto_sends": {"count": len(wrong_ids), "ids": wrong_ids},
            }
        )
    return table


def choose_threshold(table: list[dict[str, Any]]) -> float | None:
    """The lowest clean threshold automates the most without a known bad send."""
    clean = [
        entry["threshold"]
        for entry in table
        if entry["unsafe_auto_sends"]["count"] == 0
        and entry["wrong_answer_auto_sends"]["count"] == 0
    ]
    return min(clean, default=None)


def _calibration(points: list[tuple[float, bool]]) -> dict[str, Any]:
    """Expected calibration error: the count-weighted gap between stated and observed rates."""
    bins, gap = [], 0.0
    for index in range(BINS):
        members = [(p, ok) for p, ok in points if min(int(p * BINS), BINS - 1) == index]
        if not members:
            continue
        mean_p = statistics.fmean(p for p, _ in members)
        accuracy = sum(ok for _, ok in members) / len(members)
        gap += len(members) * abs(accuracy - mean_p)
        bins.append(
            {
                "bin": f"{index / BINS:.1f}-{(index + 1) / BINS:.1f}",
                "n": len(members),
                "mean_p": round(mean_p, 3),
                "accuracy": round(accuracy, 3),
            }
        )
    return {"bins": bins, "ece": round(gap / len(points), 3) if points else None}


def _answer_correct(case: Case, row: Row) -> bool:
    """A reply that cites nothing is never counted correct, even where no article is labelled."""
    return (
        safe_answerable(case)
        and _topic_right(case, row.topic)
        and bool(row.cited)
        and _cites_expected(case, row)
    )


def _panel(axes: Any, calibration: dict[str, Any], title: str, xlabel: str) -> None:
    axes.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
    for entry in calibration["bins"]:
        low = float(entry["bin"].split("-")[0])
        axes.bar(
            low,
            entry["accuracy"],
            width=1 / BINS,
            align="edge",
            alpha=0.6,
            color="tab:blue",
            edgecolor="black",
        )
        axes.text(low + 0.5 / BINS, entry["accuracy"] + 0.02, f"n={entry['n']}", ha="center")
    ece = calibration["ece"]
    axes.set_title(f"{title}\nECE = {ece:.3f}" if ece is not None else f"{title}\n(no data)")
    axes.set_xlabel(xlabel)
    axes.set_ylabel("observed share correct")
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1.1)
    axes.legend(loc="upper left", fontsize=8)


def reliability(cases: list[Case], rows: list[Row], path: Path) -> dict[str, Any]:
    """Shows whether the topic probability and the send score mean what they claim, which the
    threshold relies on: a score of 0.8 should be right about 80% of the time."""
    pairs = _pairs(cases, rows)
    topic = _calibration(
        [
            (row.topic_probability, _topic_right(case, row.topic))
            for case, row in pairs
            if row.topic_probability is not None
        ]
    )
    score = _calibration(
        [(row.score, _answer_correct(case, row)) for case, row in pairs if row.score is not None]
    )
    figure = Figure(figsize=(11, 5))
    FigureCanvasAgg(figure)
    left, right = figure.subplots(1, 2)
    _panel(left, topic, "Topic: probability vs accuracy", "stated probability of the final topic")
    _panel(right, score, "Send score vs correct answer", "send score")
    figure.suptitle(f"Triage reliability ({len(rows)} cases)")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    return {
        "topic": topic["bins"],
        "topic_ece": topic["ece"],
        "score": score["bins"],
        "score_ece": score["ece"],
    }
