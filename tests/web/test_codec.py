"""The codec endpoint decodes payloads for reviewers only, for the UI's origin only."""

import base64

from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads

from config.temporal import data_converter
from tests.privacy import PRIVACY
from tests.web.conftest import PASSWORD, REVIEWER, WebStack

UI = "http://127.0.0.1:8233"
"""`TEMPORAL_UI_URL`'s default, which the stack's settings keep."""
LEAD = {"name": "Ada Lovelace", "email": "ada@northwind-robotics.example"}


async def sealed() -> str:
    [payload] = await data_converter(PRIVACY).encode([LEAD])
    return json_format.MessageToJson(Payloads(payloads=[payload]))


def opened(body: bytes) -> list[Payload]:
    return list(json_format.Parse(body, Payloads()).payloads)


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


async def test_payloads_stay_sealed_without_a_reviewer(web: WebStack):
    answer = await web.http.post("/codec/decode", content=await sealed())
    assert answer.status_code == 401
    assert "northwind" not in answer.text


async def test_a_signed_in_reviewer_reads_payloads_in_clear(web: WebStack):
    await web.login()
    answer = await web.http.post(
        "/codec/decode", content=await sealed(), headers={"X-Namespace": "default"}
    )
    assert answer.status_code == 200
    [payload] = opened(answer.content)
    assert payload.metadata["encoding"] == b"json/plain"
    assert b"ada@northwind-robotics.example" in payload.data


async def test_the_cli_reads_payloads_with_a_reviewers_password(web: WebStack):
    good = await web.http.post(
        "/codec/decode", content=await sealed(), headers=basic(REVIEWER, PASSWORD)
    )
    wrong = await web.http.post(
        "/codec/decode", content=await sealed(), headers=basic(REVIEWER, "guess")
    )
    assert good.status_code == 200 and b"Ada Lovelace" in opened(good.content)[0].data
    assert wrong.status_code == 401


async def test_only_failed_basic_logins_count_against_the_login_limit(web: WebStack):
    """The CLI sends the reviewer's password with every request: using it is no attack."""
    limit = web.doors.web.logins_per_address_per_minute

    async def decode(password: str) -> int:
        answer = await web.http.post(
            "/codec/decode", content=await sealed(), headers=basic(REVIEWER, password)
        )
        return answer.status_code

    assert [await decode(PASSWORD) for _ in range(limit + 2)] == [200] * (limit + 2)
    assert [await decode("guess") for _ in range(limit + 1)] == [401] * limit + [429]
    assert await decode(PASSWORD) == 429, "an address that guessed too often waits"


async def test_encode_then_decode_round_trips(web: WebStack):
    await web.login()
    plain = json_format.MessageToJson(
        Payloads(payloads=[Payload(metadata={"encoding": b"json/plain"}, data=b'"hi"')])
    )
    encoded = await web.http.post("/codec/encode", content=plain)
    [cipher] = opened(encoded.content)
    assert cipher.metadata["encoding"] == b"binary/encrypted" and b"hi" not in cipher.data
    decoded = await web.http.post("/codec/decode", content=encoded.content)
    assert opened(decoded.content)[0].data == b'"hi"'


async def test_only_the_ui_origin_may_read_answers_across_origins(web: WebStack):
    asked = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-namespace",
    }
    ours = await web.http.options("/codec/decode", headers=asked | {"Origin": UI})
    theirs = await web.http.options(
        "/codec/decode", headers=asked | {"Origin": "https://evil.example"}
    )
    assert ours.headers["access-control-allow-origin"] == UI
    assert ours.headers["access-control-allow-credentials"] == "true"
    assert "x-namespace" in ours.headers["access-control-allow-headers"]
    assert "access-control-allow-origin" not in theirs.headers

    await web.login()
    answer = await web.http.post(
        "/codec/decode", content=await sealed(), headers={"Origin": "https://evil.example"}
    )
    assert "access-control-allow-origin" not in answer.headers


async def test_bad_bodies_are_refused_naming_the_problem(web: WebStack):
    await web.login()
    answer = await web.http.post("/codec/decode", content=b"{not json")
    assert answer.status_code == 400 and "Payloads message" in answer.json()["detail"]
    unknown = await web.http.post("/codec/compress", content=await sealed())
    assert unknown.status_code == 404


async def test_a_payload_larger_than_a_form_fits(web: WebStack):
    """History payloads (a 50,000-character body) are far larger than any form."""
    await web.login()
    [big] = await data_converter(PRIVACY).encode(["x" * 200_000])
    body = json_format.MessageToJson(Payloads(payloads=[big]))
    assert len(body) > web.doors.web.max_body_bytes
    answer = await web.http.post("/codec/decode", content=body)
    assert answer.status_code == 200 and len(opened(answer.content)[0].data) > 200_000
