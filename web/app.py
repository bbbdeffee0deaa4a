"""The web service: the lead form endpoint, run status, the reviewer inbox and the
suppression list, the one-click unsubscribe link and the codec endpoint of the Temporal UI.

`create_app` takes a connected Temporal client so tests can hand it the test server's;
`python -m web` connects with the settings and serves it with uvicorn.
"""

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from web import codec, leads, login, review, suppressions, unsubscribe
from web.limits import BodyLimit
from web.state import Doors


def create_app(doors: Doors) -> FastAPI:
    app = FastAPI(title="Flowdesk", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.doors = doors
    app.add_middleware(
        BodyLimit, max_bytes=doors.web.max_body_bytes, wider={codec.PREFIX: codec.MAX_BODY_BYTES}
    )
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    app.include_router(login.router)
    app.include_router(leads.router)
    app.include_router(review.router)
    app.include_router(suppressions.router)
    app.include_router(unsubscribe.router)
    app.include_router(codec.router)

    @app.exception_handler(login.LoginRequired)
    async def _to_login(_: Request, error: login.LoginRequired) -> Response:
        return login.login_redirect(error)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, error: RequestValidationError) -> Response:
        """422 naming each field, never echoing the input (it may be personal data)."""
        problems = [
            {"field": ".".join(str(p) for p in e["loc"] if p not in ("body", "query", "path")),
             "problem": e["msg"]}
            for e in error.errors()
        ]  # fmt: skip
        return JSONResponse({"detail": problems}, status_code=422)

    @app.get("/", include_in_schema=False)
    async def _home() -> Response:
        return RedirectResponse("/review", status_code=303)

    return app
