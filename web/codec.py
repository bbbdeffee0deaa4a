"""The codec endpoint: the Temporal UI (and `temporal --codec-endpoint`) decode payloads
here, so people allowed to see a run read it in clear while the server keeps ciphertext.

Allowed are the reviewers: a reviewer's session cookie (the UI sends it when its codec
setting "Include cross-origin credentials" is on and the UI and this service share a
host name) or HTTP Basic with a reviewer's name and password (for the CLI's
`--codec-auth`). Cross-origin requests are answered for the UI's origin only
(`TEMPORAL_UI_URL`); any other origin gets no CORS headers, so a browser hides the
answer from it. The protocol is Temporal's: POST `/codec/decode` or `/codec/encode`
with a `Payloads` message as protobuf JSON, answered in kind.
"""

import base64
import binascii
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse, Response
from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads

from config.payload_codec import AesGcmCodec, UnknownKey
from web.auth import verify_password
from web.login import UNKNOWN_USER
from web.state import client_address, doors, session_of

router = APIRouter(prefix="/codec")
PREFIX = router.prefix + "/"
MAX_BODY_BYTES = 4_000_000
"""Room for the largest payload Temporal stores (2 MB by default), base64 in JSON."""
ALLOWED_HEADERS = "content-type, x-namespace, authorization"


def ui_origin(request: Request) -> str:
    parts = urlsplit(doors(request).temporal.ui_url)
    return f"{parts.scheme}://{parts.netloc}"


def cors_headers(request: Request) -> dict[str, str]:
    """CORS for the UI's origin, nothing for any other."""
    origin = request.headers.get("origin")
    if origin is None or origin != ui_origin(request):
        return {}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Allow-Methods": "POST, OPTIONS",
        "Access-Control-Allow-Headers": ALLOWED_HEADERS,
        "Access-Control-Max-Age": "600",
        "Vary": "Origin",
    }


def _basic_user(request: Request, authorization: str | None) -> str | None:
    """The reviewer named by HTTP Basic credentials, if they are right."""
    if not authorization or not authorization.lower().startswith("basic "):
        return None
    state = doors(request)
    address = client_address(request)
    state.logins.refuse_if_full(address, "failed sign-in attempts from this address")
    try:
        name, _, password = (
            base64.b64decode(authorization[6:], validate=True).decode().partition(":")
        )
    except (binascii.Error, UnicodeDecodeError):
        name, password = "", ""
    stored = state.web.users.get(name)
    if verify_password(password, stored or UNKNOWN_USER) and stored:
        return name
    state.logins.allow(address)  # only a failed attempt counts: the CLI sends it every time
    return None


@router.options("/{operation}")
def preflight(request: Request, operation: str) -> Response:
    return Response(status_code=204, headers=cors_headers(request))


@router.post("/{operation}")
async def transcode(
    request: Request, operation: str, authorization: Annotated[str | None, Header()] = None
) -> Response:
    headers = cors_headers(request)
    if operation not in ("encode", "decode"):
        return JSONResponse({"detail": "unknown codec operation"}, 404, headers=headers)
    if session_of(request) is None and _basic_user(request, authorization) is None:
        return JSONResponse(
            {"detail": "sign in as a reviewer to read payloads"}, 401, headers=headers
        )
    try:
        payloads = json_format.Parse(await request.body(), Payloads())
    except (json_format.ParseError, UnicodeDecodeError):
        detail = {"detail": "the body is not a Payloads message in protobuf JSON"}
        return JSONResponse(detail, 400, headers=headers)
    privacy = doors(request).privacy
    codec = AesGcmCodec(privacy.key_material(), privacy.accept_clear_payloads)
    try:
        done = await (codec.encode if operation == "encode" else codec.decode)(payloads.payloads)
    except (UnknownKey, ValueError) as err:
        return JSONResponse({"detail": str(err)}, 422, headers=headers)
    body = json_format.MessageToJson(Payloads(payloads=done))
    return Response(body, media_type="application/json", headers=headers)
