"""The form corpus: lead submissions as JSON or urlencoded bodies, most of them bad.

One valid example (the demo's first lead) is mutated field by field and byte by byte,
then hand-written cases add what mutation would rarely hit: address-list and header
tricks in the email, links and line breaks in names, hostile URLs, odd JSON.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args
from urllib.parse import urlencode

from models.lead import LeadSource
from tests.corpus.mutate import (
    CRLF_INJECTION,
    ENCODED_WORD_LIST,
    Mutant,
    byte_mutants,
    field_mutants,
    json_bytes,
    strings_in,
)

JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"
EXAMPLE: dict[str, Any] = json.loads(
    (Path(__file__).parents[2] / "examples/leads/1-northwind.json").read_text()
)
EXAMPLE.pop("submitted_at")  # the web door's clock decides; the client defaults to now
NOT_SECRET = {*get_args(LeadSource), "lead", "email", "website", "name", "company"}
"""Values a refusal may legitimately contain: the allowed sources, field names."""


@dataclass(frozen=True)
class FormCase:
    label: str
    content_type: str
    body: bytes
    secrets: list[str] = field(default_factory=list)
    """The personal strings the body carries: no refusal may quote them."""


def _secrets(fields: Any) -> list[str]:
    return [s for s in strings_in(fields) if len(s.strip()) >= 5 and s not in NOT_SECRET]


def _as_json(mutant: Mutant) -> FormCase:
    return FormCase(mutant.label, JSON_TYPE, json_bytes(mutant.value), _secrets(mutant.value))


def _as_form(mutant: Mutant) -> FormCase:
    fields = {k: v if isinstance(v, str) else json.dumps(v) for k, v in mutant.value.items()}
    body = urlencode(fields).encode("utf-8", "surrogatepass")
    return FormCase(f"form {mutant.label}", FORM_TYPE, body, _secrets(fields))


def _lead(**changes: Any) -> dict[str, Any]:
    return {key: value for key, value in (EXAMPLE | changes).items() if value is not None}


HAND_WRITTEN_FIELDS: dict[str, dict[str, Any]] = {
    "email is an encoded-word address list": _lead(email=f"{ENCODED_WORD_LIST}@evil.example"),
    "email hides an address in base64": _lead(
        email="=?utf-8?b?dmljdGltQGV4YW1wbGUub3Jn?=@x.example"
    ),
    "email with a CRLF header": _lead(email="ada@northwind.example\r\nBcc: victim@example.org"),
    "email is two addresses": _lead(email="ada@northwind.example, victim@example.org"),
    "email with a display name": _lead(email="Ada <ada@northwind.example>"),
    "email is a bracketed IP": _lead(email="ada@[127.0.0.1]"),
    "email with an emoji domain": _lead(email="ada@💩.la"),
    "name with a header injection": _lead(name=CRLF_INJECTION),
    "name with a bidi override": _lead(name="Ada \u202eepyT"),
    "name with a C1 control": _lead(name="Ada\x85Lindqvist"),
    "company is a link": _lead(company="Click www.evil.example now"),
    "company is only spaces": _lead(company="   \t "),
    "website with credentials": _lead(website="http://ada:hunter2@northwind.example/"),
    "website is a file": _lead(website="file:///etc/passwd"),
    "website is javascript": _lead(website="javascript:alert(document.cookie)"),
    "website with a broken IPv6 host": _lead(website="http://[::1/"),
    "website 5000 characters": _lead(website="https://northwind.example/" + "a" * 5000),
    "source is unknown": _lead(source="carrier pigeon"),
    "submission id with a slash": _lead(submission_id="../../form"),
    "submission id of 65 characters": _lead(submission_id="f" * 65),
    "message of 5001 characters": _lead(message="m" * 5001),
    "message is a list": _lead(message=["we", "need", "pricing"]),
    "everything null": {key: None for key in EXAMPLE},
    "an empty object": {},
    "unknown time zone": _lead(timezone="Mars/Olympus_Mons"),
    "time zone is a number": _lead(timezone=5),
    "time zone is a path": _lead(timezone="../../../etc/localtime"),
}
HAND_WRITTEN_BODIES: dict[str, tuple[str, bytes]] = {
    "empty body": (JSON_TYPE, b""),
    "JSON null": (JSON_TYPE, b"null"),
    "a JSON string": (JSON_TYPE, b'"ada@northwind.example"'),
    "a JSON list of leads": (JSON_TYPE, json_bytes([EXAMPLE, EXAMPLE])),
    "NaN for a name": (JSON_TYPE, b'{"name": NaN, "email": "a@b.example"}'),
    "a number past float": (JSON_TYPE, b'{"name": "Ada", "submission_id": 1e999}'),
    "a 5000-digit integer": (JSON_TYPE, b'{"name": ' + b"9" * 5000 + b"}"),
    "a byte order mark": (JSON_TYPE, b"\xef\xbb\xbf" + json_bytes(EXAMPLE)),
    "UTF-16 JSON": (JSON_TYPE, json.dumps(EXAMPLE).encode("utf-16")),
    "lone surrogate escape": (JSON_TYPE, json_bytes(_lead(name="Ada")).replace(b"Ada", b"\\ud800")),
    "NUL escape in the company": (JSON_TYPE, json_bytes(_lead(company="N\x00W"))),
    "duplicate email, the second bad": (
        JSON_TYPE,
        json_bytes(EXAMPLE)[:-1] + b', "email": "not-an-address"}',
    ),
    "a 5000-deep value": (JSON_TYPE, b'{"name": ' + b"[" * 5000 + b"]" * 5000 + b"}"),
    "form with bad percent escapes": (FORM_TYPE, b"name=%zz&email=%"),
    "form with a repeated key": (FORM_TYPE, b"email=a%40b.example&email=c%40d.example"),
    "form with invalid UTF-8": (FORM_TYPE, b"name=Ada%ff%fe&email=a%40b.example"),
    "form with a NUL byte": (FORM_TYPE, b"name=Ada\x00&email=a%40b.example"),
    "a JSON body sent as a form": (FORM_TYPE, json_bytes(EXAMPLE)),
}


def form_corpus() -> list[FormCase]:
    example = json_bytes(EXAMPLE)
    cases = [_as_json(m) for m in field_mutants(EXAMPLE, seed=11, count=90)]
    secrets = _secrets(EXAMPLE)
    cases += [FormCase(m.label, JSON_TYPE, m.value, secrets) for m in byte_mutants(example, 12, 36)]
    strings = {k: str(v) for k, v in EXAMPLE.items()}
    cases += [_as_form(m) for m in field_mutants(strings, seed=13, count=20)]
    cases += [_as_json(Mutant(label, fields)) for label, fields in HAND_WRITTEN_FIELDS.items()]
    cases += [
        FormCase(label, kind, body, secrets) for label, (kind, body) in HAND_WRITTEN_BODIES.items()
    ]
    cases.append(FormCase("the example itself", JSON_TYPE, example, secrets))
    return cases
