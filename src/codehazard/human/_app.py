"""The study's web application (Starlette): the participant's pages and the operator's.

Routes under ``/p/{token}`` serve one participant and look the token up on every request (a
token no participant has is a 404, whatever the route); routes under ``/op/{token}`` need the
study's operator token. The page itself is static HTML with a script and a stylesheet served
from this package (a small Python highlighter of our own, no CDN), under a Content Security
Policy that allows nothing else. Inputs are JSON; a malformed one is a 400 that changes
nothing recorded.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

from codehazard._registry import require_extra
from codehazard.errors import ArgumentError, InputError
from codehazard.human._db import HumanTables, token_hash
from codehazard.human._judge import SandboxJudge
from codehazard.human._results import export_csv, study_results
from codehazard.human._service import (
    NotFound,
    ParticipantService,
    Study,
    delete_participant,
    invite,
    load_study,
)
from codehazard.store import Store

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_STATIC = ("app.js", "app.css", "op.js")


def _asset(name: str) -> str:
    return resources.files("codehazard.human").joinpath("static", name).read_text("utf-8")


def _page(script: str, title: str) -> str:
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{title}</title><link rel=stylesheet href=/static/app.css></head>"
        f"<body><main id=app><noscript>This page needs JavaScript.</noscript></main>"
        f"<script src=/static/{script}></script></body></html>"
    )


def create_app(store_path: str, study_id: str, *, judge: Any = None, base_url: str = "") -> Any:
    """The ASGI application serving one study of the store at ``store_path``. ``judge`` is
    the sandbox judge (``SandboxJudge`` over the study's tasks unless given).

    Raises:
        MissingExtraError: Starlette is not installed (``pip install 'codehazard[human]'``).
        UnknownNameError: no such study.
    """
    require_extra("human", "starlette", feature="the human-baseline study server")
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
    from starlette.routing import Route

    from codehazard.human._service import study_tasks

    holder: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        store = Store(store_path)
        study = load_study(store, study_id)
        tasks = study_tasks(study)
        own = judge is None
        j = SandboxJudge(tasks, timeout=study.config.timeout_s) if own else judge
        holder.update(store=store, study=study, service=ParticipantService(store, study, tasks, j))
        try:
            yield
        finally:
            if own:
                j.close()
            store.close()

    def service() -> ParticipantService:
        return holder["service"]

    def headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        return response

    def fail(exc: Exception) -> Response:
        status = 404 if isinstance(exc, NotFound) else 400
        return headers(JSONResponse({"error": str(exc) if status == 400 else "not found"},
                                    status_code=status))  # fmt: skip

    async def body(request: Request) -> dict[str, Any]:
        try:
            data = json.loads(await request.body() or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise ArgumentError("the request body is not JSON") from None
        if not isinstance(data, dict):
            raise ArgumentError("the request body must be a JSON object")
        return data

    async def participant_page(request: Request) -> Response:
        try:
            service().participant(request.path_params["token"])
        except NotFound as exc:
            return fail(exc)
        return headers(HTMLResponse(_page("app.js", "Programming study")))

    async def participant_api(request: Request) -> Response:
        token, action = request.path_params["token"], request.path_params["action"]
        s = service()
        try:
            s.participant(token)  # every route checks the token first
            data = await body(request) if request.method == "POST" else {}
            if action == "state":
                out = s.state(token)
            elif action == "consent":
                out = s.consent(token, data.get("agree"))
            elif action == "heartbeat":
                out = s.heartbeat(token, data.get("task_id"), data.get("draft"))
            elif action in ("pause", "resume"):
                out = s.pause(token, action == "pause")
            elif action == "examples":
                out = await s.examples(token, _text(data, "task_id"), data.get("code"))
            elif action == "submit":
                out = await s.submit(token, _text(data, "task_id"), data.get("code"),
                                     data.get("seq"))  # fmt: skip
            elif action == "giveup":
                out = s.give_up(token, _text(data, "task_id"), data.get("comment", ""))
            else:
                raise NotFound(action)
        except InputError as exc:
            return fail(exc)
        return headers(JSONResponse(out))

    def operator(request: Request) -> Study:
        study: Study = holder["study"]
        row = HumanTables(holder["store"]).study_row(study.id)
        given = token_hash(request.path_params["token"])
        if row is None or not hmac.compare_digest(given, row[5]):
            raise NotFound("not the operator")
        return study

    async def operator_page(request: Request) -> Response:
        try:
            operator(request)
        except NotFound as exc:
            return fail(exc)
        return headers(HTMLResponse(_page("op.js", "Study operator")))

    async def operator_api(request: Request) -> Response:
        action = request.path_params["action"]
        store = holder["store"]
        try:
            study = operator(request)
            data = await body(request) if request.method == "POST" else {}
            if action == "results":
                out: Any = study_results(store, study).model_dump(mode="json")
                out["consent"] = HumanTables(store).study_row(study.id)[4]  # type: ignore[index]
            elif action == "consent":
                HumanTables(store).set_consent(study.id, _text(data, "text"))
                holder["service"].study = holder["study"] = load_study(store, study.id)
                out = {"ok": True}
            elif action == "invite":
                n = data.get("participants", 1)
                invited = invite(store, study, n if isinstance(n, int) else 0)
                out = {"links": [f"{base_url}/p/{i.token}" for i in invited]}
            elif action == "delete":
                out = {"deleted": delete_participant(store, study, _text(data, "pseudonym"))}
            elif action == "export.csv":
                return headers(PlainTextResponse(export_csv(store, study), media_type="text/csv"))
            else:
                raise NotFound(action)
        except InputError as exc:
            return fail(exc)
        return headers(JSONResponse(out))

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in _STATIC:
            return headers(PlainTextResponse("not found", status_code=404))
        kind = "text/css" if name.endswith(".css") else "text/javascript"
        return headers(Response(_asset(name), media_type=kind))

    routes = [
        Route("/p/{token}", participant_page),
        Route("/p/{token}/api/{action}", participant_api, methods=["GET", "POST"]),
        Route("/op/{token}", operator_page),
        Route("/op/{token}/api/{action}", operator_api, methods=["GET", "POST"]),
        Route("/static/{name}", static),
        Route("/favicon.ico", lambda request: headers(Response(status_code=204))),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value:
        raise ArgumentError(f"field {name!r} must be given as text")
    return value


def serve(app: Any, *, host: str = "127.0.0.1", port: int = 8765) -> None:
    """Serve ``app`` with uvicorn until interrupted.

    Raises:
        MissingExtraError: uvicorn is not installed.
    """
    require_extra("human", "uvicorn", feature="codehazard human serve")
    import uvicorn

    uvicorn.run(app, host=host, port=port, log_level="warning")
