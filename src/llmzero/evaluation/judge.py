"""LLM as a judge: a (bigger) language model grades each answer against a rubric.

Overlap scores cannot tell a correct answer in other words from a wrong one with the right words; a
capable model reading the instruction, the reference and the answer often can. Any server that
speaks the OpenAI chat API works — Ollama (`ollama serve`, URL http://localhost:11434), llama.cpp's
server, vLLM, LM Studio or a hosted API. Each answer is one request to ``/v1/chat/completions`` at
temperature 0; the judge is asked for a JSON such as {"nota": 8, "motivo": "..."} and the number is
read out of whatever it actually says (see ``parse_score``). An answer with no readable score counts
as "failed", not as zero.

Judges have biases (they prefer long answers, their own style, the first of two options): use the
score to compare models under the same judge and rubric, not as an absolute truth. Only the standard
library is used.
"""

from __future__ import annotations

import datetime
import email.utils
import http.client
import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Callable, Sequence

from llmzero.data.download import is_loopback
from llmzero.errors import UserError, get_lang

SCALES = {10: (0, 10), 5: (1, 5)}

RUBRIC = {
    (
        "pt",
        10,
    ): """Você é um avaliador rigoroso das respostas de um assistente. Você recebe uma instrução \
(às vezes com \
uma entrada), uma resposta de referência e a resposta de um modelo. Dê à resposta do modelo uma \
nota inteira de 0 a 10:
10 = correta, completa e clara, tão boa quanto a referência ou melhor;
7 a 9 = correta, com pequenas falhas ou omissões;
4 a 6 = parcialmente correta ou incompleta;
1 a 3 = quase toda errada, fora do assunto ou repetitiva;
0 = vazia, sem sentido ou em outra língua.
Julgue o conteúdo e a utilidade, não as palavras: a resposta não precisa repetir a referência.
Responda apenas com um JSON numa linha: {"nota": N, "motivo": "uma frase"}""",
    (
        "en",
        10,
    ): """You are a strict grader of an assistant's answers. You get an instruction (sometimes \
with an input), \
a reference answer and a model's answer. Give the model's answer a whole-number score from 0 to 10:
10 = correct, complete and clear, as good as the reference or better;
7 to 9 = correct, with small flaws or omissions;
4 to 6 = partly correct or incomplete;
1 to 3 = mostly wrong, off topic or repetitive;
0 = empty, nonsense or in another language.
Judge the content and usefulness, not the wording: the answer need not repeat the reference.
Reply with one line of JSON only: {"score": N, "reason": "one sentence"}""",
    (
        "pt",
        5,
    ): """Você é um avaliador rigoroso das respostas de um assistente. Você recebe uma instrução \
(às vezes com \
uma entrada), uma resposta de referência e a resposta de um modelo. Dê à resposta do modelo uma \
nota inteira de 1 a 5:
5 = correta, completa e clara, tão boa quanto a referência ou melhor;
4 = correta, com pequenas falhas;
3 = parcialmente correta ou incompleta;
2 = quase toda errada ou fora do assunto;
1 = vazia, sem sentido ou em outra língua.
Julgue o conteúdo e a utilidade, não as palavras: a resposta não precisa repetir a referência.
Responda apenas com um JSON numa linha: {"nota": N, "motivo": "uma frase"}""",
    (
        "en",
        5,
    ): """You are a strict grader of an assistant's answers. You get an instruction (sometimes \
with an input), \
a reference answer and a model's answer. Give the model's answer a whole-number score from 1 to 5:
5 = correct, complete and clear, as good as the reference or better;
4 = correct, with small flaws;
3 = partly correct or incomplete;
2 = mostly wrong or off topic;
1 = empty, nonsense or in another language.
Judge the content and usefulness, not the wording: the answer need not repeat the reference.
Reply with one line of JSON only: {"score": N, "reason": "one sentence"}""",
}

_HEADINGS = {
    "pt": ("Instrução", "Entrada", "Resposta de referência", "Resposta do modelo"),
    "en": ("Instruction", "Input", "Reference answer", "Model's answer"),
}


def judge_messages(item: dict, scale: int = 10, lang: str | None = None) -> list[dict]:
    """The chat messages that ask for the grade of one {instruction, input, reference, response}."""
    lang = lang or get_lang()
    h = _HEADINGS[lang]
    parts = [f"### {h[0]}\n{item.get('instruction', '')}"]
    if (item.get("input") or "").strip():
        parts.append(f"### {h[1]}\n{item['input']}")
    parts += [f"### {h[2]}\n{item.get('reference', '')}", f"### {h[3]}\n{item.get('response', '')}"]
    return [
        {"role": "system", "content": RUBRIC[(lang, scale)]},
        {"role": "user", "content": "\n\n".join(parts)},
    ]


# -- reading the grade out of free text ------------------------------------------------------------

_NUM = r"(\d+(?:[.,]\d+)?)"
_KEYS = r"(?:score|nota|rating|grade|pontua[cç][aã]o)"
_THINK = re.compile(r"<think>.*?(?:</think>|$)", re.S | re.I)  # reasoning models think aloud first
_JSON_KEY = re.compile(r'"' + _KEYS + r'"\s*:\s*"?' + _NUM, re.I)  # {"nota": 8} or {"score": "8"}
# Nota: **8**
_LABEL = re.compile(r"\b" + _KEYS + r"\b(?:\s+(?:final|geral|overall))?\W{0,5}" + _NUM, re.I)
_FRACTION = re.compile(_NUM + r"\s*(?:/|de|em|out of)\s*(\d+)\b", re.I)  # 8/10, 8 de 10, 4 out of 5
_NUMBER = re.compile(r"(?<![\w.,])" + _NUM + r"(?!\w|[.,]\d)")


def parse_score(text: str, scale: int = 10) -> float | None:
    """The grade in a judge's reply, or None when there is none that fits the scale.

    Tried in order: a JSON key (score/nota/rating), a label ("Nota: 8"), a fraction of the scale
    ("8/10"), and a reply holding exactly one number. "7,5" reads as 7.5. Out-of-range numbers give
    None.
    """
    lo, hi = SCALES[scale]
    text = _THINK.sub(" ", text or "")
    value = None
    for pattern in (_JSON_KEY, _LABEL):
        m = pattern.search(text)
        if m:
            value = m.group(1)
            break
    if value is None:
        for m in _FRACTION.finditer(text):
            if float(m.group(2)) == hi:
                value = m.group(1)
                break
    if value is None:
        numbers = set(_NUMBER.findall(text))
        if len(numbers) == 1:
            value = numbers.pop()
    if value is None:
        return None
    score = float(value.replace(",", "."))
    return score if lo <= score <= hi else None


# -- talking to the server -------------------------------------------------------------------------


def chat_url(url: str) -> str:
    """Accept http://host:port, .../v1 or the full .../v1/chat/completions."""
    parsed = urllib.parse.urlparse(url.strip())
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise UserError(
            f"URL do juiz inválida: {url!r} (esperava algo como http://localhost:11434).",
            f"invalid judge URL: {url!r} (expected something like http://localhost:11434).",
        )
    path = parsed.path.rstrip("/")
    if not path.endswith("/chat/completions"):
        path += "/chat/completions" if path.endswith("/v1") else "/v1/chat/completions"
    return urllib.parse.urlunparse(parsed._replace(path=path))


def _fail(url: str, pt: str, en: str) -> UserError:
    return UserError(f"o juiz em {url} falhou: {pt}.", f"the judge at {url} failed: {en}.")


def _error_detail(body: bytes) -> str:
    """The server's own error message, if its body holds one (OpenAI and Ollama put it under
    "error")."""
    text = body.decode("utf-8", "replace").strip()
    try:
        err = json.loads(text).get("error", text)
        text = err.get("message", str(err)) if isinstance(err, dict) else str(err)
    except (json.JSONDecodeError, AttributeError):
        pass
    return text[:200]


# Retries: a busy server (429) or a failing one (5xx), and a dropped or refused connection, get
# RETRIES more tries, waiting BACKOFF, 2 × BACKOFF, 4 × BACKOFF... seconds in between, or what the
# server asks for in Retry-After; a wait longer than MAX_WAIT, or one that would bring all of them
# past TOTAL_WAIT, is not made: the judge fails instead. Other 4xx answers (a wrong model name, a
# bad key) fail at once, and so does a timeout (the server is there but slow: trying again would
# only multiply --judge-timeout).
RETRIES = 3
BACKOFF = 1.0
MAX_WAIT = 30.0
TOTAL_WAIT = 60.0


def judge_api_key(given: str | None = None, url: str | None = None) -> str | None:
    """The judge's API key: ``given`` (--judge-api-key), else the LLMZERO_JUDGE_API_KEY variable,
    else OPENAI_API_KEY, else None (no Authorization header). A key from the environment goes
    only to an https:// or a loopback ``url``: never in clear text across a network."""
    if given and given.strip():
        return given.strip()
    if url is not None:
        parts = urllib.parse.urlparse(url)
        if parts.scheme != "https" and not is_loopback(parts.hostname):
            return None
    for key in (os.environ.get("LLMZERO_JUDGE_API_KEY"), os.environ.get("OPENAI_API_KEY")):
        if key and key.strip():
            return key.strip()
    return None


def _retry_after(value: str | None) -> float | None:
    """The seconds a Retry-After header asks for (a number of seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return max(0.0, (when - datetime.datetime.now(datetime.timezone.utc)).total_seconds())


class _Retry(Exception):
    """A failure worth another try: the message to give if none is left, and the wait asked."""

    def __init__(self, pt: str, en: str, wait: float | None = None):
        super().__init__(en)
        self.pt, self.en, self.wait = pt, en, wait


def chat(
    url: str,
    model: str,
    messages: list[dict],
    api_key: str | None = None,
    timeout: float = 60.0,
    max_tokens: int | None = None,
) -> str:
    """One chat completion at temperature 0; the reply's text. A busy or failing server and a
    lost connection are tried again (see RETRIES); any failure left is a UserError naming the
    cause."""
    body = {"model": model, "messages": messages, "temperature": 0, "stream": False}
    if max_tokens:
        body["max_tokens"] = max_tokens
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    data = json.dumps(body).encode("utf-8")
    waited = 0.0
    for attempt in range(RETRIES + 1):
        try:
            raw = _post(url, data, headers, timeout)
            break
        except _Retry as retry:
            wait = retry.wait if retry.wait is not None else BACKOFF * 2**attempt
            too_long = wait > MAX_WAIT or waited + wait > TOTAL_WAIT
            if attempt == RETRIES or too_long:
                n = attempt + 1
                pt = f"{retry.pt}, depois de {n} tentativa{'s' if n > 1 else ''}"
                en = f"{retry.en}, after {n} attempt{'s' if n > 1 else ''}"
                if too_long:
                    pt += f" (o servidor pede mais {wait:g} s de espera)"
                    en += f" (the server asks to wait {wait:g} s more)"
                raise _fail(url, pt, en) from None
            time.sleep(wait)
            waited += wait
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        snippet = raw[:80].decode("utf-8", "replace")
        raise _fail(
            url, f"a resposta não é JSON ({snippet!r})", f"the answer is not JSON ({snippet!r})"
        ) from None
    try:
        content = data["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        if isinstance(data, dict) and "error" in data:
            detail = _error_detail(raw)
            raise _fail(
                url,
                f"o servidor respondeu com um erro ({detail})",
                f"the server answered an error ({detail})",
            ) from None
        raise _fail(
            url,
            "a resposta não segue a API de chat da OpenAI (falta choices[0].message.content)",
            "the answer does not follow the OpenAI chat API (choices[0].message.content is "
            "missing)",
        ) from None
    return content if isinstance(content, str) else ""


def _post(url: str, data: bytes, headers: dict, timeout: float) -> bytes:
    """One POST; the body of a 2xx answer. Raises _Retry for what may pass (429, 5xx, a lost
    connection) and UserError for the rest."""
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    handlers = (
        [urllib.request.ProxyHandler({})]
        if is_loopback(urllib.parse.urlparse(url).hostname)
        else []
    )
    try:
        with urllib.request.build_opener(*handlers).open(request, timeout=timeout) as response:
            return response.read()
    except urllib.error.HTTPError as exc:
        detail = _error_detail(exc.read() or b"")
        what = f"HTTP {exc.code} ({detail or exc.reason})"
        if exc.code == 429 or exc.code >= 500:
            wait = _retry_after(exc.headers.get("Retry-After") if exc.headers else None)
            raise _Retry(what, what, wait) from None
        raise _fail(url, what, what) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, ConnectionRefusedError):
            raise _Retry(
                "conexão recusada — o servidor está rodando? (ex.: `ollama serve`)",
                "connection refused — is the server running? (e.g. `ollama serve`)",
            ) from None
        if isinstance(reason, TimeoutError):
            raise _fail(
                url, f"sem resposta em {timeout:g} s", f"no answer within {timeout:g} s"
            ) from None
        if isinstance(reason, ConnectionError):
            name = reason.__class__.__name__
            raise _Retry(f"a conexão caiu ({name})", f"the connection dropped ({name})") from None
        raise _fail(
            url, f"não consegui conectar ({reason})", f"could not connect ({reason})"
        ) from None
    except TimeoutError:
        raise _fail(
            url, f"sem resposta em {timeout:g} s", f"no answer within {timeout:g} s"
        ) from None
    except (http.client.HTTPException, ConnectionError) as exc:
        name = exc.__class__.__name__
        raise _Retry(f"a conexão caiu ({name})", f"the connection dropped ({name})") from None


def judge(
    responses: Sequence[dict],
    url: str,
    model: str,
    api_key: str | None = None,
    timeout: float = 60.0,
    scale: int = 10,
    lang: str | None = None,
    on_item: Callable[[int, int, float | None], None] | None = None,
) -> dict:
    """Grade every {instruction, input, reference, response} with the chat model ``model`` served at
    ``url``. The API key is ``api_key``, else LLMZERO_JUDGE_API_KEY, else OPENAI_API_KEY.

    Returns {"model", "url", "scale": [lo, hi], "mean", "scored", "failed", "scores" (None where no
    grade could be read), "answers" (the judge's replies, cut to 500 characters)}. Server problems
    raise UserError.
    """
    if scale not in SCALES:
        raise UserError(
            f"escala do juiz desconhecida: {scale} (use 10 ou 5).",
            f"unknown judge scale: {scale} (use 10 or 5).",
        )
    if not model:
        raise UserError(
            "falta o nome do modelo juiz (--judge-model).",
            "the judge model's name is missing (--judge-model).",
        )
    endpoint = chat_url(url)
    api_key = judge_api_key(api_key, url)
    scores, answers = [], []
    for i, item in enumerate(responses):
        reply = chat(endpoint, model, judge_messages(item, scale, lang), api_key, timeout)
        score = parse_score(reply, scale)
        scores.append(score)
        answers.append(reply[:500])
        if on_item:
            on_item(i + 1, len(responses), score)
    good = [s for s in scores if s is not None]
    return {
        "model": model,
        "url": endpoint,
        "scale": list(SCALES[scale]),
        "mean": sum(good) / len(good) if good else None,
        "scored": len(good),
        "failed": len(scores) - len(good),
        "scores": scores,
        "answers": answers,
    }
