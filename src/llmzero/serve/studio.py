"""The studio: a web page to play with the served models, and the routes behind it.

The page has three tabs: Generate (tokens, the probabilities each token was drawn from, attention),
Chat (a conversation with an instruction-tuned model, through ``/v1/chat/completions``) and Side by
side (one prompt, two panes generating at once: two models, or one model at two temperatures).

What the page calls (JSON unless said otherwise; ``model`` picks a served model, the first one by
default):

- GET  /                 the page (``?lang=pt|en``; otherwise --lang, then the browser's
  Accept-Language);
- GET  /static/NAME      its script and style sheet (only the names listed in STATIC);
- GET  /api/info         a model's shape, the limits of the controls and the models served;
- POST /api/tokenize     {"text"} -> the tokens of a text, with their ids (the coloured chips);
- POST /api/generate     {"prompt", "temperature", "top_k", "top_p", "max_new_tokens", "seed",
  "top_n", "stop_at_eot"}
                         -> a Server-Sent Events stream: "start", then one "token" event per new
                         token (its printable text and the top_n most probable tokens of the
                         distribution it was drawn from), then "done" (or "error");
- POST /api/attention    {"ids", "layer", "head"} -> the attention matrix (query x key) of one head.

Mistakes in a request (empty prompt, a number that is not a number, too many tokens, broken JSON...)
get a 4xx answer {"error": "one sentence"} in the page's language. Generation goes through the
model's engine, so the page shares the model with the API's clients (continuous batching); a full
waiting line answers 429. Who may call (Host/Origin, the API key) and the body size are checked by
the app's guard (app.py), whose refusals are in the API's shape {"error": {"message": ...}}.
"""

from __future__ import annotations

import asyncio
import html
import json
import math
import time
from importlib import resources

import torch
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from llmzero.errors import UserError, get_lang
from llmzero.sampling import SAMPLING_PRESETS, SamplingConfig
from llmzero.serve.engine import Refused
from llmzero.serve.engine import Request as EngineRequest
from llmzero.serve.pool import Served, token_text

router = APIRouter(include_in_schema=False)  # the page's own calls; /docs shows the API

DEFAULT_TEMPERATURE = SAMPLING_PRESETS["varied"]["temperature"]  # the Generate tab
CHAT_TEMPERATURE = SAMPLING_PRESETS["chat"]["temperature"]  # the Chat tab
MAX_NEW_TOKENS = 2048  # above this a request is refused, whatever the model
MAX_TOP_N = 50  # most bars per token

# The files under /static/, and their types: nothing else of the package folder is ever served.
STATIC = {"app.js": "application/javascript", "style.css": "text/css"}
POST_ROUTES = ("/api/tokenize", "/api/generate", "/api/attention")
GET_ROUTES = ("/api/info",)

# Every text of the page, in both languages. index.html holds {{key}} placeholders filled by the
# server; the same table goes to app.js for the language toggle and for the messages it writes
# itself.
TEXTS: dict[str, tuple[str, str]] = {
    "title": ("llmzero estúdio", "llmzero studio"),
    "subtitle": (
        "brinque com o seu modelo: tokens, probabilidades, atenção e conversa",
        "play with your model: tokens, probabilities, attention and chat",
    ),
    "tab_generate": ("Gerar", "Generate"),
    "tab_chat": ("Chat", "Chat"),
    "tab_compare": ("Lado a lado", "Side by side"),
    "model": ("Modelo", "Model"),
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
    "why_length": ("limite de tokens", "token limit"),
    "why_context": ("contexto cheio", "full context"),
    "why_eos": ("fim de texto", "end of text"),
    "why_stop": ("fim da resposta", "end of the reply"),
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
    # the Chat tab
    "chat_hint": (
        "Uma conversa com um modelo ajustado com instruções (llmzero finetune instruct). A "
        "conversa inteira vai ao modelo a cada mensagem.",
        "A conversation with an instruction-tuned model (llmzero finetune instruct). The whole "
        "conversation goes to the model with every message.",
    ),
    "chat_not_tuned": (
        "O modelo {name} não foi ajustado com instruções: ele só continua texto, então as "
        "respostas podem não fazer sentido.",
        "The model {name} is not instruction-tuned: it only continues text, so its replies may "
        "make no sense.",
    ),
    "chat_empty": (
        "A conversa aparece aqui. Escreva uma mensagem para começar.",
        "The conversation shows here. Write a message to start.",
    ),
    "chat_placeholder": (
        "Escreva uma mensagem… (Enter envia; Shift+Enter quebra a linha)",
        "Write a message… (Enter sends; Shift+Enter breaks the line)",
    ),
    "chat_max_help": ("vazio = o que couber no contexto", "empty = whatever fits the context"),
    "chat_send": ("Enviar", "Send"),
    "chat_new": ("Nova conversa", "New conversation"),
    "chat_done": ("Resposta em {s} s, parou por: {why}.", "Reply in {s} s, stopped by: {why}."),
    "role_user": ("Você", "You"),
    "role_assistant": ("Modelo", "Model"),
    # the Side by side tab
    "compare_hint": (
        "O mesmo prompt em dois painéis, gerados ao mesmo tempo: dois modelos, ou um modelo em "
        "duas temperaturas.",
        "One prompt in two panes, generated at once: two models, or one model at two temperatures.",
    ),
    "pane": ("Painel {p}", "Pane {p}"),
    # the API key
    "key_label": ("Chave da API", "API key"),
    "key_help": (
        "Este servidor exige uma chave; ela fica guardada só nesta aba do navegador.",
        "This server needs a key; it is kept in this browser tab only.",
    ),
    "key_save": ("Usar a chave", "Use the key"),
    "key_wrong": (
        "A chave não foi aceita; confira e tente de novo.",
        "The key was not accepted; check it and try again.",
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


class StudioError(Exception):
    """A request the studio refuses: an HTTP status and a message in both languages."""

    def __init__(self, status: int, pt: str, en: str | None = None, headers=None):
        super().__init__(en or pt)
        self.status, self.pt, self.en = status, pt, en or pt
        self.headers = headers or {}

    def response(self, lang: str) -> JSONResponse:
        message = self.en if lang == "en" else self.pt
        return JSONResponse(
            {"error": message},
            status_code=self.status,
            headers={"Cache-Control": "no-store", **self.headers},
        )


# --------------------------------------------------------------------------------------------------
# Reading parameters: each one checked, with a sentence naming the parameter when it is wrong
# --------------------------------------------------------------------------------------------------
def _shown(value) -> str:
    """A value for an error message, cut short when it is long."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _number(params: dict, name: str, default, kind, low, high, *, none_values=()):
    """params[name] as an int or float within [low, high]; ``default`` when absent or empty, None
    when in ``none_values``."""
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
        raise StudioError(
            400,
            f"o parâmetro {name} precisa ser um número (recebeu {_shown(value)}).",
            f"the parameter {name} must be a number (got {_shown(value)}).",
        )
    if kind is int:
        if value != int(value):
            raise StudioError(
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
        raise StudioError(
            400,
            f"o parâmetro {name} precisa estar entre {low} e {high} (recebeu {_shown(value)}).",
            f"the parameter {name} must be between {low} and {high} (got {_shown(value)}).",
        )
    return value


def _text(request: Request, params: dict, name: str) -> str:
    value = params.get(name)
    if value is None:
        raise StudioError(400, f"falta o parâmetro {name}.", f"the parameter {name} is missing.")
    if not isinstance(value, str):
        raise StudioError(
            400,
            f"o parâmetro {name} precisa ser um texto.",
            f"the parameter {name} must be a text.",
        )
    cap = request.app.state.limits.max_prompt_chars
    if len(value) > cap:
        raise StudioError(
            400,
            f"o parâmetro {name} tem {len(value)} caracteres; o máximo é {cap}.",
            f"the parameter {name} has {len(value)} characters; at most {cap} are allowed.",
        )
    return value


async def _params(request: Request) -> dict:
    """Query-string parameters, overridden by a JSON object body (POST)."""
    params: dict = dict(request.query_params)
    if request.method != "POST":
        return params
    raw = await request.body()  # the app's guard caps its size (413)
    if raw.strip():
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise StudioError(
                400,
                "o corpo do pedido não é um JSON válido.",
                "the request body is not valid JSON.",
            ) from None
        if not isinstance(body, dict):
            raise StudioError(
                400,
                "o corpo do pedido precisa ser um objeto JSON.",
                "the request body must be a JSON object.",
            )
        params.update(body)
    return params


def _lang(request: Request, params: dict | None = None) -> str:
    for asked in ((params or {}).get("lang"), request.query_params.get("lang")):
        if asked in ("pt", "en"):
            return asked
    return request_lang(request.headers.get("accept-language"), request.app.state.server.lang)


def _served(request: Request, params: dict) -> Served:
    name = params.get("model") or None
    if name is not None and not isinstance(name, str):
        raise StudioError(
            400, "o parâmetro model precisa ser um texto.", "the parameter model must be a text."
        )
    try:
        return request.app.state.pool.get(name)
    except KeyError:
        raise StudioError(
            404,
            f"o modelo {_shown(name)} não está sendo servido aqui.",
            f"the model {_shown(name)} is not served here.",
        ) from None


async def _answer(request: Request, work) -> Response:
    """``await work(params)``, with the studio's refusals (and the user's mistakes) as 4xx JSON in
    the page's language."""
    params: dict = {}
    try:
        params = await _params(request)
        return await work(params)
    except StudioError as exc:
        return exc.response(_lang(request, params))
    except UserError as exc:
        return StudioError(400, exc.pt, exc.en).response(_lang(request, params))


# --------------------------------------------------------------------------------------------------
# What the routes compute
# --------------------------------------------------------------------------------------------------
def _max_new_tokens(request: Request, served: Served) -> int:
    ctx = served.model.config.context_length
    return min(MAX_NEW_TOKENS, ctx, request.app.state.limits.max_tokens)


def info(request: Request, served: Served) -> dict:
    c = served.model.config
    return {
        "name": served.name,
        "vocab_size": c.vocab_size,
        "context_length": c.context_length,
        "n_layer": c.n_layer,
        "n_head": c.n_head,
        "n_embd": c.n_embd,
        "parameters": sum(p.numel() for p in served.model.parameters()),
        "max_new_tokens": _max_new_tokens(request, served),
        "max_top_n": MAX_TOP_N,
        "tokenizer": getattr(served.tokenizer, "kind", type(served.tokenizer).__name__),
        "instruction_tuned": served.instruction_tuned,
        "models": [
            {
                "name": s.name,
                "instruction_tuned": s.instruction_tuned,
                "context_length": s.model.config.context_length,
            }
            for s in request.app.state.pool.all()
        ],
    }


def sampling(request: Request, served: Served, params: dict) -> tuple[str, SamplingConfig]:
    """(prompt, sampling config) from request parameters, every value checked; top_n bars =
    return_top."""
    prompt = _text(request, params, "prompt")
    ctx, vocab = served.model.config.context_length, served.model.config.vocab_size
    max_new = _number(params, "max_new_tokens", min(50, ctx), int, 1, MAX_NEW_TOKENS)
    if max_new > ctx:
        raise StudioError(
            400,
            f"max_new_tokens={max_new} passa do contexto do modelo ({ctx} tokens).",
            f"max_new_tokens={max_new} is beyond the model's context ({ctx} tokens).",
        )
    cap = request.app.state.limits.max_tokens
    if max_new > cap:
        raise StudioError(
            400,
            f"max_new_tokens={max_new}; este servidor aceita no máximo {cap}.",
            f"max_new_tokens={max_new}; this server allows at most {cap}.",
        )
    temperature = _number(params, "temperature", DEFAULT_TEMPERATURE, float, 0.0, 10.0)
    top_k = _number(params, "top_k", None, int, 1, vocab, none_values=(0,))
    top_p = _number(params, "top_p", None, float, 0.0, 1.0, none_values=(1.0,))
    if top_p == 0.0:
        raise StudioError(
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
        return_top=min(top_n, vocab),
        eos_id=served.tokenizer.eot_id if stop_at_eot else None,
    )
    return prompt, cfg


def _submit(served: Served, ids: list[int], cfg: SamplingConfig):
    """The engine's Sequence for one request; a full waiting line is 429."""
    try:
        return served.engine.submit(EngineRequest(ids, cfg), loop=asyncio.get_running_loop())
    except Refused as exc:
        raise StudioError(exc.status, exc.pt, exc.en, headers=exc.headers) from None


def _sse(event: str, data: dict) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def _events(served: Served, ids: list[int], cfg: SamplingConfig, seq, lang: str):
    """The events of one generation: "start", one "token" per new token, then "done" or "error".

    Once the stream has begun, a failure can no longer change the HTTP status: it becomes an
    "error" event. A client that goes away cancels the request, which frees its engine slot.
    """
    tok = served.tokenizer
    began = time.perf_counter()
    pieces: list[str] = []
    new_ids: list[int] = []
    rest, stopped_by = "", "max_tokens"
    try:
        yield _sse(
            "start",
            {"ids": ids, "tokens": [token_text(tok, i) for i in ids], "text": tok.decode(ids)},
        )
        async for event in seq:
            if event.token_id is None:  # the engine failed (or the request was cancelled)
                if event.finish_reason == "error":
                    why = event.error or "?"
                    pt = f"o modelo falhou ao gerar ({why})."
                    en = f"the model failed while generating ({why})."
                    yield _sse("error", {"error": en if lang == "en" else pt})
                    return
                break
            eos = cfg.eos_id is not None and event.token_id == cfg.eos_id
            text = "" if eos else event.text
            if eos:
                rest = event.text  # what the text stream held back, if anything
            new_ids.append(event.token_id)
            pieces.append(text)
            yield _sse(
                "token",
                {
                    "index": len(new_ids) - 1,
                    "id": event.token_id,
                    "token": token_text(tok, event.token_id),
                    "text": text,
                    "eos": eos,
                    "prob": event.prob,
                    "model_prob": event.model_prob,
                    "top": [
                        {"id": i, "token": token_text(tok, i), "prob": p}
                        for i, p in event.top or []
                    ],
                },
            )
            if event.finish_reason == "stop":
                stopped_by = "eos"
            elif event.finish_reason == "length" and len(new_ids) < cfg.max_new_tokens:
                stopped_by = "context"
        seconds = time.perf_counter() - began
        yield _sse(
            "done",
            {
                "text": "".join(pieces) + rest,
                "rest": rest,
                "num_tokens": len(new_ids),
                "stopped_by": stopped_by,
                "ids": ids + new_ids,
                "tokens_per_second": len(new_ids) / seconds if seconds > 0 else 0.0,
            },
        )
    finally:
        seq.cancel()  # a no-op once finished; frees the slot of a client that went away


def attention(served: Served, params: dict) -> dict:
    """The attention weights of one layer and head for the token ids (the last context_length of
    them). Runs in a worker thread, holding the engine's lock like one model step."""
    c = served.model.config
    raw = params.get("ids")
    if not isinstance(raw, list) or not raw:
        raise StudioError(
            400,
            "o parâmetro ids precisa ser uma lista não vazia de ids de tokens.",
            "the parameter ids must be a non-empty list of token ids.",
        )
    if any(isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < c.vocab_size for i in raw):
        raise StudioError(
            400,
            f"ids precisa conter só inteiros de 0 a {c.vocab_size - 1} (o vocabulário do modelo).",
            f"ids must hold only whole numbers from 0 to {c.vocab_size - 1} "
            "(the model's vocabulary).",
        )
    layer = _number(params, "layer", 0, int, 0, c.n_layer - 1)
    head = _number(params, "head", 0, int, 0, c.n_head - 1)
    ids = raw[-c.context_length :]
    device = next(served.model.parameters()).device
    with served.engine.lock, torch.inference_mode():
        out = served.model(
            torch.tensor([ids], device=device), return_attention=True, logits_last_only=True
        )
        weights = out.attentions[layer][0, head].float().cpu()
    return {
        "layer": layer,
        "head": head,
        "n_layer": c.n_layer,
        "n_head": c.n_head,
        "ids": ids,
        "tokens": [token_text(served.tokenizer, i) for i in ids],
        "truncated": len(raw) - len(ids),
        "matrix": [[round(w, 5) for w in row] for row in weights.tolist()],
    }


# --------------------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------------------
def _static_text(name: str) -> str:
    return resources.files("llmzero.serve").joinpath("static", name).read_text(encoding="utf-8")


def render_index(lang: str, info: dict | None) -> str:
    """index.html with every {{key}} replaced by the text in ``lang``, and the boot data for app.js
    (``info`` None: the page asks /api/info itself, once it has the API key)."""
    page = _static_text("index.html")
    col = 1 if lang == "en" else 0
    for key, pair in TEXTS.items():
        page = page.replace("{{" + key + "}}", html.escape(pair[col]))
    boot = {
        "lang": lang,
        "texts": TEXTS,
        "info": info,
        "defaults": {
            "temperature": DEFAULT_TEMPERATURE,
            "chat_temperature": CHAT_TEMPERATURE,
        },
    }
    page = page.replace("{{lang}}", "en" if lang == "en" else "pt-BR")
    page = page.replace("{{temperature_default}}", f"{DEFAULT_TEMPERATURE:g}")
    page = page.replace("{{chat_temperature_default}}", f"{CHAT_TEMPERATURE:g}")
    # "</" would end the <script> element early; JSON allows the escaped form.
    return page.replace("{{boot_json}}", json.dumps(boot, ensure_ascii=False).replace("</", "<\\/"))


NO_STORE = {"Cache-Control": "no-store"}


@router.get("/")
@router.get("/index.html")
def index(request: Request) -> Response:
    lang = _lang(request)
    # Behind an API key the page itself is open (so that it can ask for the key): it then carries
    # nothing about the models, and fetches /api/info with the key.
    needs_key = request.app.state.server.api_key is not None
    shown = None if needs_key else info(request, request.app.state.pool.get())
    return HTMLResponse(render_index(lang, shown), headers=NO_STORE)


@router.get("/static/{name:path}")
def static(request: Request, name: str) -> Response:
    if name not in STATIC:  # an explicit list: no path can reach outside the folder
        return StudioError(
            404, f"não existe nada em /static/{name}.", f"there is nothing at /static/{name}."
        ).response(_lang(request))
    return Response(
        _static_text(name), media_type=STATIC[name] + "; charset=utf-8", headers=NO_STORE
    )


@router.get("/api/info")
async def api_info(request: Request) -> Response:
    async def work(params):
        return JSONResponse(info(request, _served(request, params)), headers=NO_STORE)

    return await _answer(request, work)


@router.post("/api/tokenize")
async def api_tokenize(request: Request) -> Response:
    async def work(params):
        served = _served(request, params)
        ids = served.tokenizer.encode(_text(request, params, "text"))
        return JSONResponse(
            {
                "ids": ids,
                "tokens": [token_text(served.tokenizer, i) for i in ids],
                "count": len(ids),
                "context_length": served.model.config.context_length,
            },
            headers=NO_STORE,
        )

    return await _answer(request, work)


@router.post("/api/generate")
async def api_generate(request: Request) -> Response:
    async def work(params):
        served = _served(request, params)
        prompt, cfg = sampling(request, served, params)
        ids = served.tokenizer.encode(prompt)
        seq = _submit(served, ids, cfg)  # the prompt's checks (empty, too long) happen here
        return StreamingResponse(
            _events(served, ids, cfg, seq, _lang(request, params)),
            media_type="text/event-stream",
            headers=NO_STORE,
        )

    return await _answer(request, work)


@router.post("/api/attention")
async def api_attention(request: Request) -> Response:
    async def work(params):
        served = _served(request, params)
        data = await run_in_threadpool(attention, served, params)
        return JSONResponse(data, headers=NO_STORE)

    return await _answer(request, work)


@router.api_route(
    "/api/{rest:path}", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
)
async def api_elsewhere(request: Request, rest: str) -> Response:
    """A wrong method on a studio route (405: a link or an <img> on another site cannot start the
    costly work, which is POST only), or nothing at all (404)."""
    path = "/api/" + rest
    lang = _lang(request)
    if path in POST_ROUTES:
        error = StudioError(405, f"use POST em {path}.", f"use POST for {path}.")
        error.headers["Allow"] = "POST"
    elif path in GET_ROUTES:
        error = StudioError(405, f"use GET em {path}.", f"use GET for {path}.")
        error.headers["Allow"] = "GET"
    else:
        error = StudioError(404, f"não existe nada em {path}.", f"there is nothing at {path}.")
    return error.response(lang)
