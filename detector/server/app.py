"""`unspin serve`: the HTTP app (starlette), its limits and its pool of pipelines.

The pipelines (model and tables) are built once, at start; each request borrows one in a
worker thread, so a slow request holds one pipeline while the others serve. Past the
pool and its queue a request gets 503 with Retry-After; a body past the limit 413; a
check past its time 504. Requests never name files: they carry their text.
"""

from __future__ import annotations

import asyncio
import json
import queue
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from detector import __version__
from detector.config import Config
from detector.files import surrogate_at
from detector.pipeline import FileResult
from detector.readers import read_document
from detector.server import languagetool as lt

STATIC = Path(__file__).parent / "static"
# The page's files, by name: nothing else on disk is reachable from a request.
ASSETS = {
    "app.js": (STATIC / "app.js", "text/javascript"),
    "style.css": (STATIC / "style.css", "text/css"),
    "sample.txt": (Path(__file__).parent.parent / "data" / "samples" / "article.md", "text/plain; charset=utf-8"),
}
FORMATS = ("text", "markdown", "html")


@dataclass
class Limits:
    max_body: int = 1_000_000  # bytes
    timeout: float = 60.0  # seconds per check
    workers: int = 2  # pipelines, each checking one request at a time
    queue: int = 8  # requests waiting for a pipeline beyond those being checked
    origins: list[str] = field(default_factory=list)  # CORS: allowed origins


class TooLarge(Exception):
    pass


class Checker:
    """A pool of pipelines built once; `check` runs in a worker thread and borrows one."""

    def __init__(self, config: Config, limits: Limits, build=None):
        from detector.wiring import build_pipeline

        self.limits = limits
        self.pipelines: queue.Queue = queue.Queue()
        threads = max(1, _cores() // limits.workers)
        for _ in range(limits.workers):
            pipeline, errors = (build or build_pipeline)(config, threads)
            if errors:
                raise RuntimeError("; ".join(errors))
            self.pipelines.put(pipeline)
        self.admitted = threading.BoundedSemaphore(limits.workers + limits.queue)

    def check(self, text: str, fmt: str = "text", path: str = "<request>") -> FileResult:
        pipeline = self.pipelines.get()
        try:
            return pipeline.check([read_document(path, text, fmt)])[0]
        finally:
            self.pipelines.put(pipeline)


def _cores() -> int:
    from detector.model.runtime import available_cores

    return available_cores()


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


async def _fields(request: Request, limit: int) -> dict[str, str]:
    """Query parameters and a form or JSON body, as one flat dict of strings."""
    fields = dict(request.query_params)
    body = await _body(request, limit)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        raise lt.RequestError("multipart bodies are not supported; send application/x-www-form-urlencoded or JSON")
    if body and kind == "application/json":
        try:
            parsed = json.loads(body)
            if not isinstance(parsed, dict):
                raise lt.RequestError("JSON body must be an object")
            fields.update({k: v if isinstance(v, str) else json.dumps(v) for k, v in parsed.items()})
        except ValueError as error:
            raise lt.RequestError(f"body is not JSON: {error}") from None
        except RecursionError:
            raise lt.RequestError("body is nested too deeply") from None
    elif body:
        try:
            decoded = body.decode("utf-8")
        except UnicodeDecodeError:
            raise lt.RequestError("body is not UTF-8") from None
        fields.update({k: v[-1] for k, v in parse_qs(decoded, keep_blank_values=True).items()})
    for name, value in fields.items():
        if (at := surrogate_at(value)) is not None:
            raise lt.RequestError(f"'{name}' holds a lone surrogate at {at}; not Unicode text")
    return fields


async def _run(request: Request, work):
    """Run `work` (blocking) in a worker thread within the admission and time limits."""
    checker: Checker = request.app.state.checker
    if not checker.admitted.acquire(blocking=False):
        return PlainTextResponse("Too many requests in progress; try again shortly.", status_code=503, headers={"Retry-After": "1"})
    released = False

    def release():
        nonlocal released
        if not released:
            released = True
            checker.admitted.release()

    loop = asyncio.get_running_loop()
    future = loop.run_in_executor(request.app.state.executor, lambda: _finally(work, release))
    try:
        return await asyncio.wait_for(asyncio.shield(future), checker.limits.timeout)
    except asyncio.TimeoutError:
        # The check goes on in its thread and frees its place when done.
        return PlainTextResponse(f"The check took longer than {checker.limits.timeout:g} s.", status_code=504)


def _finally(work, release):
    try:
        return work()
    finally:
        release()


def _errors(handler):
    async def wrapped(request: Request) -> Response:
        try:
            return await handler(request)
        except TooLarge:
            limit = request.app.state.checker.limits.max_body
            return PlainTextResponse(f"Request body larger than {limit:,} bytes.", status_code=413)
        except lt.RequestError as error:
            return PlainTextResponse(f"Error: {error}", status_code=400)

    return wrapped


@_errors
async def languagetool_check(request: Request) -> Response:
    checker: Checker = request.app.state.checker
    fields = await _fields(request, checker.limits.max_body)
    keep = lt.rule_filter(fields.get("disabledRules"), fields.get("enabledRules"), fields.get("enabledOnly"))
    if "data" in fields:
        annotated = lt.Annotated.from_data(fields["data"])
    elif "text" in fields:
        annotated = lt.Annotated.plain(fields["text"])
    else:
        raise lt.RequestError("Missing 'text' or 'data' parameter")
    lang = lt.language(fields.get("language"), annotated.text)
    result = await _run(request, lambda: checker.check(annotated.text))
    if isinstance(result, Response):
        return result
    return JSONResponse(lt.response(lt.matches(result.findings, annotated, keep), lang, __version__))


@_errors
async def languages(request: Request) -> Response:
    return JSONResponse(lt.LANGUAGES)


@_errors
async def unspin_check(request: Request) -> Response:
    """The `unspin check --format json` contract for one document."""
    from detector.reporters import Report
    from detector.reporters.json import document

    checker: Checker = request.app.state.checker
    fields = await _fields(request, checker.limits.max_body)
    if not isinstance(fields.get("text"), str):
        raise lt.RequestError("Missing 'text'")
    fmt = fields.get("format") or "text"
    if fmt not in FORMATS:
        raise lt.RequestError(f"format must be one of {', '.join(FORMATS)}")
    path = fields.get("path") or "<request>"
    result = await _run(request, lambda: checker.check(fields["text"], fmt, path))
    if isinstance(result, Response):
        return result
    return JSONResponse(document(Report([result], tool_version=__version__)))


async def page(request: Request) -> Response:
    return FileResponse(STATIC / "index.html", media_type="text/html")


async def static(request: Request) -> Response:
    found = ASSETS.get(request.path_params["name"])
    if found is None:
        return PlainTextResponse("Not found", status_code=404)
    return FileResponse(found[0], media_type=found[1])


def create_app(config: Config, limits: Limits | None = None, build=None) -> Starlette:
    """The app with its pipelines built (model and tables loaded) before it serves."""
    from concurrent.futures import ThreadPoolExecutor

    limits = limits or Limits()
    middleware = [Middleware(CORSMiddleware, allow_origins=limits.origins, allow_methods=["GET", "POST"], allow_headers=["content-type"])] if limits.origins else []
    app = Starlette(
        routes=[
            Route("/", page),
            Route("/static/{name}", static),
            Route("/v2/check", languagetool_check, methods=["GET", "POST"]),
            Route("/v2/languages", languages),
            Route("/api/check", unspin_check, methods=["POST"]),
        ],
        middleware=middleware,
    )
    app.state.checker = Checker(config, limits, build)
    app.state.executor = ThreadPoolExecutor(limits.workers + limits.queue, thread_name_prefix="unspin-check")
    return app
