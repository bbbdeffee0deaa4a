"""A scripted OpenAI-compatible chat-completions server on loopback, for tests.

Real HTTP, real `openai` client on the other side: each request pops the next
scripted reply (status, headers, content or raw body, delay) and is recorded for
assertions.
"""

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    content: str | None = None
    status: int = 200
    delay_s: float = 0.0
    raw: bytes | None = None
    prompt_tokens: int = 50
    completion_tokens: int = 20
    top_logprobs: list[tuple[str, float]] | None = None
    """Alternatives at the first answer token, returned as `logprobs` when set."""
    headers: dict[str, str] = field(default_factory=dict)
    """Extra response headers (`Retry-After`, ...); a `Content-Type` here replaces the JSON one."""


@dataclass
class ScriptedLlm:
    """Replies come from `script` in order, or from `responder(request)` when it is set."""

    script: list[Reply] = field(default_factory=list)
    responder: Callable[[dict[str, Any]], Reply] | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    n_ctx: int | None = None
    """Served as llama.cpp's `/props` when set; without it `/props` is 404."""
    props_requests: int = 0

    def __post_init__(self) -> None:
        llm = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                llm.props_requests += 1
                props = {"default_generation_settings": {"n_ctx": llm.n_ctx}}
                payload = json.dumps(props).encode()
                found = self.path.rstrip("/") == "/props" and llm.n_ctx is not None
                self.send_response(200 if found else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload) if found else 0))
                self.end_headers()
                if found:
                    self.wfile.write(payload)

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                llm.requests.append(body)
                reply = llm._next(body)
                time.sleep(reply.delay_s)
                payload = reply.raw if reply.raw is not None else _completion(reply)
                self.send_response(reply.status)
                headers = {"Content-Type": "application/json", **reply.headers}
                for name, value in {**headers, "Content-Length": str(len(payload))}.items():
                    self.send_header(name, value)
                self.end_headers()
                try:
                    self.wfile.write(payload)
                except BrokenPipeError:
                    pass

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _next(self, body: dict[str, Any]) -> Reply:
        if self.script:
            return self.script.pop(0)
        if self.responder is not None:
            return self.responder(body)
        return Reply(status=500, raw=b'{"error": {"message": "script exhausted"}}')

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _completion(reply: Reply) -> bytes:
    if reply.status != 200:
        return json.dumps({"error": {"message": f"scripted {reply.status}"}}).encode()
    return json.dumps(
        {
            "id": "chatcmpl-scripted",
            "object": "chat.completion",
            "created": 0,
            "model": "scripted",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": reply.content},
                    "logprobs": _logprobs(reply),
                }
            ],
            "usage": {
                "prompt_tokens": reply.prompt_tokens,
                "completion_tokens": reply.completion_tokens,
                "total_tokens": reply.prompt_tokens + reply.completion_tokens,
            },
        }
    ).encode()


def _logprobs(reply: Reply) -> dict[str, Any] | None:
    if reply.top_logprobs is None:
        return None
    token, logprob = reply.top_logprobs[0]
    alternatives = [{"token": t, "logprob": p, "bytes": None} for t, p in reply.top_logprobs]
    first = {"token": token, "logprob": logprob, "bytes": None, "top_logprobs": alternatives}
    return {"content": [first]}
