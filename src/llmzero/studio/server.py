"""The studio: a small web page to play with a trained model, served by the standard library alone.

What the page shows, and the endpoint behind each part (all JSON unless said otherwise):

- GET  /                 the page (``?lang=pt|en``; otherwise --lang, then the browser's
  Accept-Language);
- GET  /api/info         the model's shape and the limits of the controls;
- POST /api/tokenize     {"text"} -> the tokens of a text, with their ids (the coloured chips);
- POST /api/generate     {"prompt", "temperature", "top_k", "top_p", "max_new_tokens", "seed",
  "top_n"}
                         -> a Server-Sent Events stream: "start", then one "token" event per new
                         token (its printable text and the top_n most probable tokens of the
                         distribution it was drawn from), then "done";
- POST /api/attention    {"ids", "layer", "head"} -> the attention matrix (query x key) of one head.

Mistakes in a request (empty prompt, a number that is not a number, too many tokens, broken JSON...)
get a 4xx answer {"error": "one sentence"} in the page's language: the server never crashes on them.
One model computation runs at a time (a lock), so two browser tabs cannot bury a laptop CPU.

Other web pages cannot use the studio: every request must name the server itself in its Host header
(127.0.0.1, localhost or [::1] with the server's port, or the --host it was started with), which
defeats DNS rebinding, and a request a browser marks with an Origin must come from the studio's own
page; anything else gets 403. Generation, the costly work, is POST only: a link or an <img> on
another site cannot start it.
"""

from __future__ import annotations

import errno
import html
import ipaddress
import json
import math
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any, Iterator
from urllib.parse import parse_qs, urlsplit

import torch

from llmzero.checkpoint import load_checkpoint
from llmzero.errors import UserError, get_lang
from llmzero.generation import SamplingConfig, TextStream, generate_ids
from llmzero.sampling import SAMPLING_PRESETS

DEFAULT_TEMPERATURE = SAMPLING_PRESETS["varied"]["temperature"]  # the page and the API alike

MAX_NEW_TOKENS = 2048  # above this a request is refused, whatever the model
MAX_TOP_N = 50  # most bars per token
MAX_BODY = 1 << 20  # bytes of a request body
BUSY_TIMEOUT = 15.0  # seconds a request waits for the model before giving up with 429

# Every text of the page, in both languages. index.html holds {{key}} placeholders filled by the
# server; the same table goes to app.js for the language toggle and for the messages it writes
# itself.
TEXTS: dict[str, tuple[str, str]] = {
    "title": ("llmzero estúdio", "llmzero studio"),
    "subtitle": (
        "brinque com o seu modelo: tokens, probabilidades e atenção",
        "play with your model: tokens, probabilities and attention",
    ),
    "prompt": ("Prompt", "Prompt"),
    "prompt_placeholder": ("Escreva o começo de um texto…", "Write the start of a text…"),
    "temperature": ("Temperatura", "Temperature"),
    "temperature_help": (
        "0 = guloso (sempre o mais provável)",
        "0 = greedy (always the most probable)",
    ),
    "top_k": ("top-k", "top-k"),
    "top_k_help": ("0 = desligado", "0 = off"),
    "top_p": ("top-p", "top-p"),
    "top_p_help": ("1 = desligado", "1 = off"),
    "max_new_tokens": ("Máx. de tokens", "Max tokens"),
    "seed": ("Semente", "Seed"),
    "seed_help": ("vazio = aleatória", "empty = random"),
    "generate": ("Gerar", "Generate"),
    "stop": ("Parar", "Stop"),
    "tokens_title": ("Tokens do prompt", "Prompt tokens"),
    "tokens_count": ("{n} tokens", "{n} tokens"),
    "output_title": ("Texto gerado", "Generated text"),
    "output_hint": (
        "Clique num token gerado para ver de qual distribuição ele foi sorteado.",
        "Click a generated token to see the distribution it was drawn from.",
    ),
    "bars_title": ("Os tokens mais prováveis", "The most probable tokens"),
    "bars_for": ("Passo {i}: sorteado {tok} (p = {p})", "Step {i}: drew {tok} (p = {p})"),
    "bars_empty": ("Gere um texto e clique num token.", "Generate a text and click a token."),
    "attention_title": ("Atenção", "Attention"),
    "layer": ("Camada", "Layer"),
    "head": ("Cabeça", "Head"),
    "attention_hint": (
        "Linha = token que olha (consulta); coluna = token olhado (chave). Mais escuro = mais "
        "peso.",
        "Row = token looking (query); column = token looked at (key). Darker = more weight.",
    ),
    "attention_empty": (
        "Gere um texto para ver a atenção.",
        "Generate a text to see the attention.",
    ),
    "attention_cut": (
        "O texto passou do contexto: mostrando os últimos {n} tokens.",
        "The text outgrew the context: showing the last {n} tokens.",
    ),
    "status_ready": ("Pronto.", "Ready."),
    "status_generating": ("Gerando…", "Generating…"),
    "status_done": (
        "{n} tokens, {speed} tokens/s, parou por: {why}.",
        "{n} tokens, {speed} tokens/s, stopped by: {why}.",
    ),
    "why_max_tokens": ("limite de tokens", "token limit"),
    "why_eos": ("fim de texto", "end of text"),
    "why_stopped": ("você parou", "you stopped it"),
    "why_error": ("erro", "error"),
    "model_line": (
        "Modelo {name}: {layers} camadas, {heads} cabeças, dimensão {dim}, contexto {ctx}, "
        "vocabulário {vocab}.",
        "Model {name}: {layers} layers, {heads} heads, dimension {dim}, context "
        "{ctx}, vocabulary {vocab}.",
    ),
    "network_error": (
        "Não consegui falar com o servidor; ele ainda está rodando?",
        "Could not reach the server; is it still running?",
    ),
}


def request_lang(accept_language: str | None, default: str | None = None) -> str:
    """The page language: the server's --lang when given, else the browser's preference
    (Accept-Language), else the environment's (LLMZERO_LANG, the locale; see errors.get_lang)."""
    if default in ("pt", "en"):
        return default
    best, best_q = get_lang(), 0.0
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip().lower()
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        for lang in ("pt", "en"):
            if (tag == lang or tag.startswith(lang + "-")) and q > best_q:
                best, best_q = lang, q
    return best


class RequestError(Exception):
    """A request the server refuses: an HTTP status and a message in both languages."""

    def __init__(self, status: int, pt: str, en: str | None = None):
        super().__init__(en or pt)
        self.status, self.pt, self.en = status, pt, en or pt

    @classmethod
    def from_user_error(cls, exc: UserError, status: int = 400) -> "RequestError":
        return cls(status, exc.pt, exc.en)

    def message(self, lang: str) -> str:
        return self.en if lang == "en" else self.pt


# --------------------------------------------------------------------------------------------------
# Reading parameters: each one checked, with a sentence naming the parameter when it is wrong
# --------------------------------------------------------------------------------------------------
def _shown(value) -> str:
    """A value for an error message, cut short when it is long."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _number(params: dict, name: str, default, kind, low, high, *, none_values=()):
    """params[name] as an int or float within [low, high]; None when absent/empty or in
    ``none_values``."""
    value = params.get(name, default)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        value = "true"  # never a number
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            value = value.strip()
    if not isinstance(value, (int, float)) or (
        isinstance(value, float) and not math.isfinite(value)
    ):
        raise RequestError(
            400,
            f"o parâmetro {name} precisa ser um número (recebeu {_shown(value)}).",
            f"the parameter {name} must be a number (got {_shown(value)}).",
        )
    if kind is int:
        if value != int(value):
            raise RequestError(
                400,
                f"o parâmetro {name} precisa ser um número inteiro (recebeu {_shown(value)}).",
                f"the parameter {name} must be a whole number (got {_shown(value)}).",
            )
        value = int(value)
    else:
        value = float(value)
    if value in none_values:
        return None
    if not low <= value <= high:
        raise RequestError(
            400,
            f"o parâmetro {name} precisa estar entre {low} e {high} (recebeu {_shown(value)}).",
            f"the parameter {name} must be between {low} and {high} (got {_shown(value)}).",
        )
    return value


def _text(params: dict, name: str) -> str:
    value = params.get(name)
    if value is None:
        raise RequestError(400, f"falta o parâmetro {name}.", f"the parameter {name} is missing.")
    if not isinstance(value, str):
        raise RequestError(
            400,
            f"o parâmetro {name} precisa ser um texto.",
            f"the parameter {name} must be a text.",
        )
    return value


# --------------------------------------------------------------------------------------------------
# The studio: what the endpoints compute, without any HTTP
# --------------------------------------------------------------------------------------------------
class Studio:
    """A model and its tokenizer, and the computations the page asks for."""

    def __init__(
        self,
        model: torch.nn.Module,
        tokenizer,
        name: str = "model",
        lang: str | None = None,
        busy_timeout: float = BUSY_TIMEOUT,
    ):
        if tokenizer is None:
            raise UserError(
                "este checkpoint não tem tokenizer.json; o estúdio precisa dele.",
                "this checkpoint has no tokenizer.json; the studio needs it.",
            )
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.config = model.config
        self.name = name
        self.lang = lang  # the --lang default; None follows each browser
        self.busy_timeout = busy_timeout
        self.lock = threading.Lock()  # one model computation at a time

    # -- helpers -----------------------------------------------------------------------------------
    def token_text(self, token_id: int) -> str:
        """The text of one token. A byte-level token holding part of a character shows its bytes
        (\\xc3); ids the tokenizer does not know (a padded vocabulary) show as <id>."""
        try:
            decode_bytes = getattr(self.tokenizer, "decode_bytes", None)
            if decode_bytes is not None:
                return decode_bytes([int(token_id)]).decode("utf-8", errors="backslashreplace")
            return self.tokenizer.token_text(int(token_id))
        except (UserError, IndexError, KeyError, ValueError):
            return f"<{token_id}>"

    def acquire(self) -> None:
        if not self.lock.acquire(timeout=self.busy_timeout):
            raise RequestError(
                429,
                "o modelo está ocupado com outro pedido; tente de novo daqui a pouco.",
                "the model is busy with another request; try again in a moment.",
            )

    # -- endpoints ---------------------------------------------------------------------------------
    def info(self) -> dict:
        c = self.config
        return {
            "name": self.name,
            "vocab_size": c.vocab_size,
            "context_length": c.context_length,
            "n_layer": c.n_layer,
            "n_head": c.n_head,
            "n_embd": c.n_embd,
            "parameters": sum(p.numel() for p in self.model.parameters()),
            "max_new_tokens": min(MAX_NEW_TOKENS, c.context_length),
            "max_top_n": MAX_TOP_N,
            "tokenizer": getattr(self.tokenizer, "kind", type(self.tokenizer).__name__),
        }

    def tokenize(self, params: dict) -> dict:
        text = _text(params, "text")
        ids = self.tokenizer.encode(text)
        return {
            "ids": ids,
            "tokens": [self.token_text(i) for i in ids],
            "count": len(ids),
            "context_length": self.config.context_length,
        }

    def sampling(self, params: dict) -> tuple[str, SamplingConfig]:
        """(prompt, sampling config) from request parameters, every value checked; top_n bars =
        return_top."""
        prompt = _text(params, "prompt")
        limit = min(MAX_NEW_TOKENS, self.config.context_length)
        max_new = _number(params, "max_new_tokens", min(50, limit), int, 1, MAX_NEW_TOKENS)
        if max_new > limit:
            raise RequestError(
                400,
                f"max_new_tokens={max_new} passa do contexto do modelo "
                f"({self.config.context_length} tokens).",
                f"max_new_tokens={max_new} is beyond the model's context "
                f"({self.config.context_length} tokens).",
            )
        temperature = _number(params, "temperature", DEFAULT_TEMPERATURE, float, 0.0, 10.0)
        top_k = _number(params, "top_k", None, int, 1, self.config.vocab_size, none_values=(0,))
        top_p = _number(params, "top_p", None, float, 0.0, 1.0, none_values=(1.0,))
        if top_p == 0.0:
            raise RequestError(
                400,
                "top_p precisa ser maior que 0 (use 1 para desligar).",
                "top_p must be above 0 (use 1 to turn it off).",
            )
        seed = _number(params, "seed", None, int, 0, 2**63 - 1)
        top_n = _number(params, "top_n", 10, int, 1, MAX_TOP_N)
        stop_at_eot = params.get("stop_at_eot", True) not in (False, "0", "false", "no")
        cfg = SamplingConfig(
            max_new_tokens=max_new,
            temperature=temperature,
            top_k=top_k,
            top_p=top_p,
            seed=seed,
            return_top=min(top_n, self.config.vocab_size),
            eos_id=self.tokenizer.eot_id if stop_at_eot else None,
        )
        return prompt, cfg

    def generation(self, params: dict) -> "Generation":
        """Check the request and compute the first token; return the stream of (event, data) pairs.

        Everything that can be wrong with the request raises RequestError here, before any byte of
        the stream is sent. The returned Generation holds the model lock until it is closed.
        """
        prompt, cfg = self.sampling(params)
        ids = self.tokenizer.encode(prompt)
        self.acquire()
        try:
            steps = generate_ids(self.model, ids, cfg)
            first = next(steps)  # the prompt's checks (empty, longer than the context) happen here
        except UserError as exc:
            self.lock.release()
            raise RequestError.from_user_error(exc) from None
        except BaseException:
            self.lock.release()
            raise
        return Generation(self, ids, cfg, steps, first)

    def attention(self, params: dict) -> dict:
        """The attention weights of one layer and head for the token ids (the last context_length of
        them)."""
        c = self.config
        raw = params.get("ids")
        if "text" in params and raw is None:
            raw = self.tokenizer.encode(_text(params, "text"))
        if not isinstance(raw, list) or not raw:
            raise RequestError(
                400,
                "o parâmetro ids precisa ser uma lista não vazia de ids de tokens.",
                "the parameter ids must be a non-empty list of token ids.",
            )
        if any(
            isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < c.vocab_size for i in raw
        ):
            raise RequestError(
                400,
                f"ids precisa conter só inteiros de 0 a {c.vocab_size - 1} (o vocabulário do "
                "modelo).",
                f"ids must hold only whole numbers from 0 to {c.vocab_size - 1} "
                "(the model's vocabulary).",
            )
        layer = _number(params, "layer", 0, int, 0, c.n_layer - 1)
        head = _number(params, "head", 0, int, 0, c.n_head - 1)
        ids = raw[-c.context_length :]
        self.acquire()
        try:
            with torch.inference_mode():
                device = next(self.model.parameters()).device
                out = self.model(
                    torch.tensor([ids], device=device), return_attention=True, logits_last_only=True
                )
            weights = out.attentions[layer][0, head].float().cpu()
        finally:
            self.lock.release()
        return {
            "layer": layer,
            "head": head,
            "n_layer": c.n_layer,
            "n_head": c.n_head,
            "ids": ids,
            "tokens": [self.token_text(i) for i in ids],
            "truncated": len(raw) - len(ids),
            "matrix": [[round(w, 5) for w in row] for row in weights.tolist()],
        }


class Generation:
    """The events of one generation: "start", one "token" per new token, "done". Close it to free
    the model."""

    def __init__(self, studio: Studio, ids: list[int], cfg: SamplingConfig, steps, first):
        self.studio, self.ids, self.cfg, self.steps, self.first = studio, ids, cfg, steps, first
        self.closed = False

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.steps.close()
            self.studio.lock.release()

    def __iter__(self) -> Iterator[tuple[str, dict]]:
        studio, cfg, ids = self.studio, self.cfg, self.ids
        start = time.perf_counter()
        stream = TextStream(studio.tokenizer, context_ids=ids[-4:])
        stopped_by, count, step = "max_tokens", 0, self.first
        yield (
            "start",
            {
                "ids": ids,
                "tokens": [studio.token_text(i) for i in ids],
                "text": studio.tokenizer.decode(ids),
            },
        )
        known = getattr(studio.tokenizer, "vocab_size", None)
        while step is not None:
            count += 1
            eos = step.token_id == cfg.eos_id
            # a padded vocabulary: the model can pick ids
            if known is not None and step.token_id >= known:
                raise UserError(  # that have no text
                    f"o modelo escolheu o token {step.token_id}, que o tokenizador não conhece "
                    f"({known} tokens).",
                    f"the model picked token {step.token_id}, which the tokenizer does not know "
                    f"({known} tokens).",
                )
            piece = "" if eos else stream.push(step.token_id)
            yield (
                "token",
                {
                    "index": count - 1,
                    "id": step.token_id,
                    "token": studio.token_text(step.token_id),
                    "text": piece,
                    "eos": eos,
                    "prob": step.prob,
                    "model_prob": step.model_prob,
                    "top": [
                        {"id": i, "token": studio.token_text(i), "prob": p}
                        for i, p in step.top or []
                    ],
                },
            )
            if eos:
                stopped_by = "eos"
                break
            step = next(self.steps, None)
        seconds = time.perf_counter() - start
        rest = stream.finish()  # bytes held back for an unfinished character, if any
        self.close()
        yield (
            "done",
            {
                "text": stream.text,
                "rest": rest,
                "num_tokens": count,
                "stopped_by": stopped_by,
                "ids": ids + stream.ids,
                "tokens_per_second": count / seconds if seconds > 0 else 0.0,
            },
        )


# --------------------------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------------------------
STATIC = {"/static/app.js": "application/javascript", "/static/style.css": "text/css"}
DISCONNECTED = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)


def _static_text(name: str) -> str:
    return resources.files("llmzero.studio").joinpath("static", name).read_text(encoding="utf-8")


def render_index(lang: str, info: dict) -> str:
    """index.html with every {{key}} replaced by the text in ``lang`` and the text table for
    app.js."""
    page = _static_text("index.html")
    col = 1 if lang == "en" else 0
    for key, pair in TEXTS.items():
        page = page.replace("{{" + key + "}}", html.escape(pair[col]))
    boot = {"lang": lang, "texts": TEXTS, "info": info}
    page = page.replace("{{lang}}", "en" if lang == "en" else "pt-BR")
    page = page.replace("{{temperature_default}}", f"{DEFAULT_TEMPERATURE:g}")
    # "</" would end the <script> element early; JSON allows the escaped form.
    return page.replace("{{boot_json}}", json.dumps(boot, ensure_ascii=False).replace("</", "<\\/"))


class StudioHandler(BaseHTTPRequestHandler):
    server: "StudioServer"
    protocol_version = "HTTP/1.1"
    # seconds; an idle kept-alive connection is dropped instead of holding a thread forever
    timeout = 120

    # -- plumbing ----------------------------------------------------------------------------------
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        if self.server.verbose:
            super().log_message(format, *args)

    def _lang(self, params: dict | None = None) -> str:
        asked = (params or {}).get("lang")
        if asked in ("pt", "en"):
            return asked
        return request_lang(self.headers.get("Accept-Language"), self.server.studio.lang)

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, data: Any) -> None:
        if status >= 400:
            # an unread request body must not be taken for the next request
            self.close_connection = True
        self._send(
            status,
            json.dumps(data, ensure_ascii=False).encode("utf-8"),
            "application/json; charset=utf-8",
        )

    def _check_caller(self) -> None:
        """403 unless the request names this server in Host and, when it has one, in Origin."""
        host = self.headers.get("Host")
        if host is None or not self.server.is_own_address("//" + host):
            raise RequestError(
                403,
                f"pedido recusado: o cabeçalho Host ({host}) não é o endereço deste estúdio; "
                f"abra {self.server.url}.",
                f"request refused: the Host header ({host}) is not this studio's address; "
                f"open {self.server.url}.",
            )
        origin = self.headers.get("Origin")
        if origin is not None and not self.server.is_own_address(origin, scheme="http"):
            raise RequestError(
                403,
                f"pedido recusado: ele vem de outra página ({origin}), não do estúdio.",
                f"request refused: it comes from another page ({origin}), not from the studio.",
            )

    def _params(self) -> dict:
        """Query-string parameters, overridden by a JSON object body (POST)."""
        url = urlsplit(self.path)
        params: dict = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        if self.command == "POST":
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if length < 0:
                raise RequestError(
                    400, "cabeçalho Content-Length inválido.", "invalid Content-Length header."
                )
            if length > MAX_BODY:
                raise RequestError(
                    413,
                    f"o pedido é grande demais (máximo {MAX_BODY} bytes).",
                    f"the request is too large (at most {MAX_BODY} bytes).",
                )
            raw = self.rfile.read(length) if length else b""
            if raw.strip():
                try:
                    body = json.loads(raw.decode("utf-8"))
                except (UnicodeDecodeError, json.JSONDecodeError):
                    raise RequestError(
                        400,
                        "o corpo do pedido não é um JSON válido.",
                        "the request body is not valid JSON.",
                    ) from None
                if not isinstance(body, dict):
                    raise RequestError(
                        400,
                        "o corpo do pedido precisa ser um objeto JSON.",
                        "the request body must be a JSON object.",
                    )
                params.update(body)
        return params

    # -- routing -----------------------------------------------------------------------------------
    def do_GET(self):
        self._handle()

    def do_POST(self):
        self._handle()

    def _handle(self) -> None:
        path = urlsplit(self.path).path
        params: dict = {}
        try:
            self._check_caller()
            params = self._params()
            routes = {
                "/api/tokenize": self.server.studio.tokenize,
                "/api/attention": self.server.studio.attention,
            }
            if path in ("/", "/index.html") and self.command != "POST":
                page = render_index(self._lang(params), self.server.studio.info())
                self._send(200, page.encode("utf-8"), "text/html; charset=utf-8")
            elif path in STATIC and self.command != "POST":
                self._send(
                    200,
                    _static_text(path.rsplit("/", 1)[1]).encode("utf-8"),
                    STATIC[path] + "; charset=utf-8",
                )
            elif path == "/api/info":
                self._json(200, self.server.studio.info())
            elif path == "/api/generate":
                if self.command != "POST":
                    raise RequestError(405, f"use POST em {path}.", f"use POST for {path}.")
                self._stream(self.server.studio.generation(params), self._lang(params))
            elif path in routes:
                if self.command != "POST":
                    raise RequestError(405, f"use POST em {path}.", f"use POST for {path}.")
                self._json(200, routes[path](params))
            else:
                raise RequestError(
                    404, f"não existe nada em {path}.", f"there is nothing at {path}."
                )
        except RequestError as exc:
            self._json(exc.status, {"error": exc.message(self._lang(params))})
        except UserError as exc:
            self._json(400, {"error": exc.en if self._lang(params) == "en" else exc.pt})
        except DISCONNECTED:
            self.close_connection = True
        except Exception as exc:  # a bug, not the user's mistake: answer anyway and keep serving
            self.log_error("internal error on %s: %r", path, exc)
            try:
                self._json(500, {"error": f"internal error: {exc!r}"})
            except DISCONNECTED:
                self.close_connection = True

    def _stream(self, events: Generation, lang: str) -> None:
        """Send the events as Server-Sent Events; a client that goes away just ends the generation.

        Once the stream has begun, a failure can no longer change the HTTP status: it becomes an
        "error" event.
        """

        def send(event: str, data: dict) -> None:
            self.wfile.write(
                f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode("utf-8")
            )
            self.wfile.flush()

        self.close_connection = True
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                for event, data in events:
                    send(event, data)
            except DISCONNECTED:
                raise
            except UserError as exc:
                send("error", {"error": exc.en if lang == "en" else exc.pt})
            except Exception as exc:  # a bug: say so in the page and keep serving
                self.log_error("internal error while generating: %r", exc)
                send("error", {"error": f"internal error: {exc!r}"})
        except DISCONNECTED:
            pass
        finally:
            events.close()  # releases the model lock


class StudioServer(ThreadingHTTPServer):
    """The HTTP server of one Studio. Port 0 picks a free port: read it back from ``url``."""

    daemon_threads = True

    def __init__(
        self, studio: Studio, host: str = "127.0.0.1", port: int = 0, verbose: bool = False
    ):
        self.studio = studio
        self.verbose = verbose
        self.host_name = host  # as given: a name like mybox.local binds to its address
        super().__init__((host, port), StudioHandler)

    def is_own_address(self, url: str, scheme: str = "") -> bool:
        """Whether ``url`` ("//host:port" of a Host header, or an Origin) names this server: a
        loopback name or the --host it was started with, and its port. Bound to every network card
        (0.0.0.0, ::), any IP address is its own too; a DNS name never is, unless it was --host."""
        try:
            parts = urlsplit(url)
            port = parts.port or 80
        except ValueError:
            return False
        name, address = (parts.hostname or "").lower(), str(self.server_address[0]).lower()
        if (
            parts.scheme != scheme
            or port != self.server_address[1]
            or not name
            or "@" in parts.netloc
            or parts.path
            or parts.query
            or parts.fragment
        ):
            return False
        if name in ("127.0.0.1", "localhost", "::1", self.host_name.strip("[]").lower(), address):
            return True
        if address in ("0.0.0.0", "::"):
            try:
                ipaddress.ip_address(name)
            except ValueError:
                return False
            return True
        return False

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        shown = "127.0.0.1" if host in ("0.0.0.0", "") else ("[::1]" if host == "::" else host)
        return f"http://{shown}:{port}/"

    def start_thread(self) -> threading.Thread:
        """Serve in a background daemon thread (tests, notebooks); stop with ``shutdown()``."""
        thread = threading.Thread(target=self.serve_forever, name="llmzero-studio", daemon=True)
        thread.start()
        return thread


def make_server(
    model_dir,
    host: str = "127.0.0.1",
    port: int = 0,
    lang: str | None = None,
    device: str = "cpu",
    verbose: bool = False,
) -> StudioServer:
    """Load the checkpoint in ``model_dir`` and bind a StudioServer to it (not serving yet)."""
    from pathlib import Path

    ckpt = load_checkpoint(model_dir, device=device, kinds=("lm", "lm-int8"))
    folder = Path(ckpt.path).resolve()
    # runs/NAME/checkpoint -> NAME
    name = folder.parent.name if folder.name == "checkpoint" else folder.name
    studio = Studio(ckpt.model, ckpt.tokenizer, name=name, lang=lang)
    try:
        return StudioServer(studio, host, port, verbose=verbose)
    except OSError as exc:
        if isinstance(exc, socket.gaierror) or exc.errno == errno.EADDRNOTAVAIL:
            raise UserError(
                f"esta máquina não tem o endereço {host!r}; use em --host 127.0.0.1 (só este "
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
