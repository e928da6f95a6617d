"""`llmzero serve`: one FastAPI app, one port, for the OpenAI-compatible API and the studio page.

Routes: ``/v1/...`` (openai_api.py), the studio (studio.py), ``GET /health`` and ``GET /metrics``.

Who may call it:
- bound to this computer only (127.0.0.1, the default), every request must name the server in its
  Host header (a loopback name, or the --host given) and, when a browser marks it with an Origin,
  come from the server's own page: another web site cannot use it, not even through DNS rebinding;
- bound to anything else, an API key is required (``--api-key`` or ``LLMZERO_API_KEY``): every
  route but ``/health`` wants ``Authorization: Bearer KEY``, compared in constant time.
Every request body is capped (``Limits.max_body``), and so are prompts, ``max_tokens`` and ``n``.
"""

from __future__ import annotations

import hmac
import ipaddress
import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import uvicorn
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from llmzero.data.download import is_loopback
from llmzero.errors import UserError
from llmzero.serve.metrics import Metrics
from llmzero.serve.openai_api import ApiError
from llmzero.serve.openai_api import router as openai_router
from llmzero.serve.pool import ModelPool


@dataclass
class Limits:
    """What one request may ask for."""

    max_body: int = 1 << 20  # bytes of a request body
    max_prompt_chars: int = 200_000
    max_tokens: int = 4096
    max_n: int = 8


def check_key_needed(host: str, api_key: str | None) -> None:
    """A UserError when ``host`` reaches beyond this computer and no API key was given."""
    if not is_loopback(host) and not api_key:
        raise UserError(
            f"servir em {host} (fora deste computador) exige uma chave: --api-key ou a variável "
            "LLMZERO_API_KEY.",
            f"serving on {host} (beyond this computer) needs a key: --api-key or the "
            "LLMZERO_API_KEY variable.",
        )


class _Guard:
    """ASGI middleware: body size, who is calling (Host/Origin, API key), status counts."""

    def __init__(self, app, *, state):
        self.app, self.state = app, state

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        state = self.state
        path = scope.get("path", "")
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        status_seen = {}

        async def counted_send(message):
            if message["type"] == "http.response.start":
                status_seen["status"] = message["status"]
            await send(message)

        def route_label() -> str:
            if path.startswith("/v1/") or path in ("/health", "/metrics"):
                return path
            return "/api" if path.startswith("/api/") else "/page"

        try:
            refusal = self._refusal(path, headers)
            if refusal is not None:
                await refusal(scope, receive, counted_send)
                return
            limit = state.limits.max_body
            declared = headers.get("content-length")
            if declared is not None and (not declared.isdigit() or int(declared) > limit):
                await _error(413, f"The request body is larger than {limit} bytes.")(
                    scope, receive, counted_send
                )
                return
            seen = 0

            async def capped_receive():
                nonlocal seen
                message = await receive()
                if message["type"] == "http.request":
                    seen += len(message.get("body", b""))
                    if seen > limit:
                        raise _TooLarge()
                return message

            try:
                await self.app(scope, capped_receive, counted_send)
            except _TooLarge:
                if "status" not in status_seen:
                    await _error(413, f"The request body is larger than {limit} bytes.")(
                        scope, receive, counted_send
                    )
        finally:
            state.metrics.requests.labels(route_label(), str(status_seen.get("status", 0))).inc()

    def _refusal(self, path: str, headers: dict):
        state = self.state
        if state.api_key is not None and path != "/health" and not _studio_asset(path):
            given = headers.get("authorization", "")
            scheme, _, key = given.partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(
                key.strip().encode(), state.api_key.encode()
            ):
                return _error(
                    401,
                    "A valid API key is required: send it as 'Authorization: Bearer KEY'.",
                    code="invalid_api_key",
                )
        if state.check_host:
            host = headers.get("host")
            if host is None or not state.own_address("//" + host):
                return _error(
                    403,
                    f"Request refused: the Host header ({host}) does not name this server.",
                )
        origin = headers.get("origin")
        if origin is not None and not state.own_address(origin, scheme="http"):
            return _error(403, f"Request refused: it comes from another page ({origin}).")
        return None


def _studio_asset(path: str) -> bool:
    """The page and its files carry no key (the page asks for it and sends it on its calls)."""
    return path in ("/", "/index.html") or path.startswith("/static/")


def _field_part(part) -> bool:
    """Whether a piece of a pydantic error location names a field (not "body" nor a union
    member's type, such as "str" or "list[str]")."""
    if isinstance(part, int):
        return True
    return part != "body" and "[" not in part and part not in ("str", "int", "float", "bool")


class _TooLarge(Exception):
    pass


def _error(status: int, message: str, code: str | None = None) -> JSONResponse:
    return ApiError(status, message, code=code).response()


class ServerState:
    """What the routes share: the models, the limits, the metrics, who may call."""

    def __init__(self, pool, *, limits, metrics, api_key, host, lang):
        self.pool, self.limits, self.metrics = pool, limits, metrics
        self.api_key = api_key or None
        self.host_name = host
        self.check_host = self.api_key is None
        self.lang = lang
        self.port = 0  # set once bound

    def own_address(self, url: str, scheme: str = "") -> bool:
        """Whether ``url`` ("//host:port" of a Host header, or an Origin) names this server."""
        try:
            parts = urlsplit(url)
            port = parts.port or 80
        except ValueError:
            return False
        name = (parts.hostname or "").lower()
        if (
            parts.scheme != scheme
            or not name
            or "@" in parts.netloc
            or parts.path
            or parts.query
            or parts.fragment
        ):
            return False
        if self.port and port != self.port:
            return False
        own = self.host_name.strip("[]").lower()
        if name in ("127.0.0.1", "localhost", "::1", own):
            return True
        if own in ("0.0.0.0", "::"):
            try:
                ipaddress.ip_address(name)
            except ValueError:
                return False
            return True
        return False


def create_app(
    pool: ModelPool,
    *,
    metrics: Metrics | None = None,
    limits: Limits | None = None,
    api_key: str | None = None,
    host: str = "127.0.0.1",
    lang: str | None = None,
) -> FastAPI:
    """The app for ``pool`` (whose engines should report to ``metrics``)."""
    check_key_needed(host, api_key)
    from llmzero.serve.studio import router as studio_router

    app = FastAPI(title="llmzero", version="1", docs_url="/docs", redoc_url=None)
    state = ServerState(
        pool,
        limits=limits or Limits(),
        metrics=metrics or pool.observer or Metrics(),
        api_key=api_key,
        host=host,
        lang=lang,
    )
    app.state.pool, app.state.limits, app.state.server = pool, state.limits, state
    app.state.metrics = state.metrics
    app.add_middleware(_Guard, state=state)

    @app.exception_handler(ApiError)
    async def api_error(request, exc: ApiError):
        return exc.response()

    @app.exception_handler(UserError)
    async def user_error(request, exc: UserError):
        return ApiError(400, exc.en).response()

    @app.exception_handler(RequestValidationError)
    async def invalid(request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if _field_part(p)) or "body"
        what = first.get("msg", "is not valid")
        if first.get("type") == "json_invalid":
            return ApiError(400, "The request body is not valid JSON.").response()
        return ApiError(400, f"The field {where} is not valid: {what}.", param=where).response()

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request, exc: StarletteHTTPException):
        message = {404: f"There is nothing at {request.url.path}.", 405: "Method not allowed."}
        return ApiError(exc.status_code, message.get(exc.status_code, str(exc.detail))).response()

    @app.exception_handler(Exception)
    async def bug(request, exc: Exception):  # a bug, not the caller's: answer and keep serving
        return ApiError(500, f"Internal error: {exc!r}").response()

    @app.get("/health")
    def health():
        return {"status": "ok", "models": pool.names()}

    @app.get("/metrics")
    def metrics_text():
        return Response(state.metrics.text(), media_type="text/plain; version=0.0.4")

    app.include_router(openai_router)
    app.include_router(studio_router)
    return app


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (0 = any free port), or a one-sentence UserError."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family, _, _, _, address = infos[0]
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        if isinstance(exc, socket.gaierror) or getattr(exc, "errno", None) == 99:
            raise UserError(
                f"esta máquina não tem o endereço {host!r}; use --host 127.0.0.1 (só este "
                "computador) ou o endereço de uma das suas placas de rede.",
                f"this machine has no address {host!r}; give --host 127.0.0.1 (this computer only) "
                "or the address of one of its network cards.",
            ) from None
        raise UserError(
            f"não consegui abrir {host}:{port} ({exc.strerror or exc}); escolha outra porta com "
            "--port (0 = qualquer livre).",
            f"could not open {host}:{port} ({exc.strerror or exc}); choose another port with "
            "--port (0 = any free one).",
        ) from None
    sock.listen(128)
    sock.setblocking(False)
    return sock


class Server:
    """The app on a bound socket: ``run()`` in the foreground, or ``start()`` in a thread."""

    def __init__(self, app: FastAPI, host: str = "127.0.0.1", port: int = 0, verbose=False):
        self.app, self.sock = app, bind(host, port)
        self.host, self.port = host, self.sock.getsockname()[1]
        app.state.server.port = self.port
        config = uvicorn.Config(
            app,
            log_level="info" if verbose else "warning",
            access_log=verbose,
            timeout_graceful_shutdown=5,
        )
        self.uvicorn = uvicorn.Server(config)
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        shown = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        shown = "[::1]" if shown == "::" else (f"[{shown}]" if ":" in shown else shown)
        return f"http://{shown}:{self.port}/"

    def run(self) -> None:
        self.uvicorn.run(sockets=[self.sock])

    def start(self) -> Server:
        self.thread = threading.Thread(target=self.run, name="llmzero-serve", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.uvicorn.started and time.monotonic() < deadline:
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.uvicorn.should_exit = True
        if self.thread is not None:
            self.thread.join(15)
        self.app.state.pool.close()


def make_app(
    refs: list[str],
    *,
    registry_file=None,
    device: str = "cpu",
    dtype: str = "float32",
    max_batch: int = 32,
    max_queue: int = 256,
    limits: Limits | None = None,
    api_key: str | None = None,
    host: str = "127.0.0.1",
    lang: str | None = None,
) -> FastAPI:
    """Load the models named by ``refs`` (folders or registry names) and build their app."""
    check_key_needed(host, api_key)  # before loading anything
    metrics = Metrics()
    pool = ModelPool(
        refs,
        registry_file=registry_file,
        device=device,
        dtype=dtype,
        max_batch=max_batch,
        max_queue=max_queue,
        observer=metrics,
    )
    try:
        return create_app(
            pool, metrics=metrics, limits=limits, api_key=api_key, host=host, lang=lang
        )
    except BaseException:
        pool.close()
        raise
