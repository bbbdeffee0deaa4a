"""The model-answer corpus: what an OpenAI-compatible endpoint sends back, mostly wrong.

A valid answer per agent schema is mutated key by key and byte by byte, then
hand-written answers add what small models and broken endpoints really produce: prose,
fences, truncation, huge strings, control characters, numbers JSON cannot hold, and
chat-completion bodies that are not chat completions.
"""

import json
from dataclasses import dataclass

from pydantic import BaseModel

from models.agent_output import Classification, PointChoice, ReplyDraft, TouchLine
from tests.corpus.mutate import byte_mutants, field_mutants

PERSONAL = "kim.lee@acme.example"
"""In every valid answer's text: a refusal must never quote it."""
VALID: dict[type[BaseModel], dict[str, object]] = {
    Classification: {"topic": "billing", "urgency": "normal", "language": "en",
                     "is_spam": False, "injection_suspected": False,
                     "signals": ["refund_request"], "confidence": 0.8},
    ReplyDraft: {"body": f"Hello, the invoice was sent to {PERSONAL}.",
                 "cited_article_ids": ["billing-invoices"], "confidence": 0.7},
    PointChoice: {"points": [{"id": "S1", "label": "what they do"}, {"id": "S2", "label": "place"}]},
    TouchLine: {"sentence": f"You run 40 sites; write to {PERSONAL}."},
}  # fmt: skip


@dataclass(frozen=True)
class AnswerCase:
    label: str
    schema: type[BaseModel]
    content: str


def _text(schema: type[BaseModel], **changes: object) -> str:
    return json.dumps(VALID[schema] | changes)


def _hand_written(schema: type[BaseModel]) -> dict[str, str]:
    valid = json.dumps(VALID[schema])
    text_field = "topic" if schema is Classification else next(iter(VALID[schema]))
    return {
        "empty": "",
        "prose": "Sure! Here is the JSON you asked for: it is billing.",
        "fenced": f"```json\n{valid}\n```",
        "fence never closed": f"```json\n{valid}",
        "JSON then chatter": valid + "\nHope this helps!",
        "two objects": valid + valid,
        "a list of answers": f"[{valid}]",
        "null": "null",
        "byte order mark": "\ufeff" + valid,
        "NaN confidence": valid.replace('"confidence": ', '"confidence": NaN, "x": '),
        "1e999": _text(schema, confidence=1e999),
        "huge text": _text(schema, **{text_field: "x" * 1_000_000}),
        "NUL in text": _text(schema, **{text_field: "ok\x00then"}),
        "ANSI escape": _text(schema, **{text_field: "\x1b[2Jcleared"}),
        "CRLF header": _text(schema, **{text_field: "Hi\r\nBcc: victim@example.org"}),
        "lone surrogate": valid.replace(f'"{text_field}": "', f'"{text_field}": "\\ud800', 1),
        "duplicate key, second wrong": valid[:-1] + f', "{text_field}": 42}}',
        "nested 10,000 deep": "[" * 10_000 + valid + "]" * 10_000,
        "every value null": json.dumps({key: None for key in VALID[schema]}),
        "wrong types everywhere": json.dumps({key: [1, {}] for key in VALID[schema]}),
        "extra keys only": '{"answer": "billing", "reasoning": "..."}',
    }


RAW_BODIES: dict[str, bytes] = {
    "body not JSON": b"<html>502 Bad Gateway</html>",
    "empty body": b"",
    "truncated completion": b'{"id": "x", "object": "chat.completion", "choices": [{"mess',
    "no choices": b'{"id": "x", "object": "chat.completion", "created": 0, "model": "m", "choices": []}',
    "choices is null": b'{"id": "x", "object": "chat.completion", "created": 0, "model": "m", "choices": null}',
    "content is null": json.dumps(
        {
            "id": "x",
            "object": "chat.completion",
            "created": 0,
            "model": "m",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": None},
                }
            ],
        }
    ).encode(),  # fmt: skip
    "a JSON list": b"[1, 2, 3]",
    "a JSON string": b'"ok"',
    "usage of wrong types": json.dumps(
        {
            "id": "x",
            "object": "chat.completion",
            "created": 0,
            "model": "m",
            "usage": {"prompt_tokens": "many"},
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": "{}"},
                }
            ],
        }
    ).encode(),  # fmt: skip
}


def answer_corpus() -> list[AnswerCase]:
    cases = []
    for number, schema in enumerate(VALID):
        name = schema.__name__
        cases += [
            AnswerCase(f"{name} {m.label}", schema, json.dumps(m.value, allow_nan=True))
            for m in field_mutants(VALID[schema], seed=41 + number, count=12)
        ]
        cases += [
            AnswerCase(f"{name} {m.label}", schema, m.value.decode("utf-8", "replace"))
            for m in byte_mutants(json.dumps(VALID[schema]).encode(), seed=45 + number, count=6)
        ]
        cases += [
            AnswerCase(f"{name} {label}", schema, content)
            for label, content in _hand_written(schema).items()
        ]
        cases.append(AnswerCase(f"{name} valid", schema, json.dumps(VALID[schema])))
    return cases
