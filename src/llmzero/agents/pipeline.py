"""The pipeline file: which agents take part, in what order, backed by which model, within what
budget. A TOML file, checked as a whole before anything runs::

    [pipeline]
    name = "pesquisa"
    max_turns = 8        # agent turns, revisions included
    max_tokens = 1500    # tokens all agents may write together

    [defaults]           # every agent's model unless it names its own
    model = "runs/instrucoes"            # a local checkpoint, or:
    # endpoint = "http://localhost:11434"  and  api_model = "qwen2.5:1.5b"
    max_new_tokens = 120

    [[agent]]
    role = "planner"
    next = "researcher"

    [[agent]]
    role = "researcher"
    tools = ["busca"]
    next = "writer"

    [[agent]]
    role = "writer"
    next = "critic"

    [[agent]]
    role = "critic"
    send_back = "writer"  # the critic may return the draft to the writer...
    revisions = 1         # ...this many times at most

The first agent starts; each hands over to its ``next``; the one without ``next`` ends the run.
``next`` links may not form a circle (a loop with no exit); the only way back is a critic's
``send_back``, bounded by ``revisions``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from llmzero.errors import UserError

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser, as a package
    import tomli as tomllib

ROLES = ("planner", "researcher", "writer", "critic")
ROLE_NAMES_PT = {
    "planner": "planejador",
    "researcher": "pesquisador",
    "writer": "redator",
    "critic": "crítico",
}
MAX_REVISIONS = 3
MAX_TURNS = 50
MAX_TOKENS = 100_000
DEFAULT_MAX_TURNS = 8
DEFAULT_MAX_TOKENS = 2000
DEFAULT_MAX_NEW_TOKENS = 120
EXAMPLES_DIR = Path(__file__).resolve().parent / "examples"

# What each role is asked to do when the file gives no prompt of its own.
DEFAULT_PROMPTS = {
    "planner": (
        "Você é o planejador. Divida a tarefa em dois ou três passos curtos e diga o que "
        "precisa ser pesquisado."
    ),
    "researcher": (
        "Você é o pesquisador. Leia os trechos encontrados e anote, em poucas frases, os fatos "
        "que respondem à tarefa, citando os trechos como [1], [2]."
    ),
    "writer": (
        "Você é o redator. Escreva uma resposta curta e correta para a tarefa, usando só as "
        "notas da pesquisa."
    ),
    "critic": (
        "Você é o crítico. Leia o rascunho. Se ele responde à tarefa e concorda com as notas, "
        "escreva APROVADO. Se não, escreva REVISAR: e o que precisa mudar."
    ),
}

_AGENT_KEYS = {
    "role", "prompt", "next", "send_back", "revisions", "tools", "model", "endpoint",
    "api_model", "max_new_tokens", "temperature",
}  # fmt: skip
_BACKEND_KEYS = {"model", "endpoint", "api_model", "max_new_tokens", "temperature"}
_PIPELINE_KEYS = {"name", "max_turns", "max_tokens", "index", "retriever", "k", "chars"}
KNOWN_TOOLS = ("busca", "calc")


@dataclass
class AgentSpec:
    """One agent of the pipeline."""

    role: str
    prompt: str
    next: str | None = None
    send_back: str | None = None
    revisions: int = 0
    tools: tuple[str, ...] = ()
    model: str | None = None  # a checkpoint folder
    endpoint: str | None = None  # an OpenAI-compatible server
    api_model: str | None = None  # the model's name on that server
    max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS
    temperature: float = 0.0
    own_backend: bool = False  # the model was named in the agent's own table (not [defaults])

    @property
    def backend_key(self) -> tuple:
        return (
            ("endpoint", self.endpoint, self.api_model) if self.endpoint else ("local", self.model)
        )

    def backend_label(self) -> str:
        return f"{self.api_model} @ {self.endpoint}" if self.endpoint else str(self.model)


@dataclass
class Pipeline:
    name: str
    agents: dict[str, AgentSpec]  # role -> agent, in file order (the first one starts)
    max_turns: int = DEFAULT_MAX_TURNS
    max_tokens: int = DEFAULT_MAX_TOKENS
    index: str | None = None  # the rag index of the researcher's <busca>
    retriever: str = "hybrid"
    k: int = 3
    chars: int = 400  # of each passage the researcher reads
    source: str = ""  # the file it came from
    defaults: dict = field(default_factory=dict)

    @property
    def first(self) -> str:
        return next(iter(self.agents))

    def order(self) -> list[str]:
        """The roles along the ``next`` links from the first one."""
        out, role = [], self.first
        while role is not None:
            out.append(role)
            role = self.agents[role].next
        return out


def _bad(where: str, pt: str, en: str) -> UserError:
    return UserError(f"{where}: {pt}.", f"{where}: {en}.")


def _int(where: str, key: str, value, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise _bad(
            where,
            f"{key} precisa ser um inteiro de {lo} a {hi} (recebeu {value!r})",
            f"{key} must be a whole number from {lo} to {hi} (got {value!r})",
        )
    return value


def _str(where: str, key: str, value) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _bad(
            where, f"{key} precisa ser um texto não vazio", f"{key} must be a non-empty text"
        )
    return value.strip()


def _unknown_keys(where: str, table: dict, known: set) -> None:
    extra = sorted(set(table) - known)
    if extra:
        raise _bad(
            where,
            f"chave desconhecida {extra[0]!r} (use {', '.join(sorted(known))})",
            f"unknown key {extra[0]!r} (use {', '.join(sorted(known))})",
        )


def resolve_pipeline_path(name: str | Path) -> Path:
    """A pipeline file: a path, or the name of a shipped example ("pesquisa")."""
    path = Path(name)
    if path.is_file():
        return path
    shipped = EXAMPLES_DIR / f"{name}.toml"
    if not path.suffix and shipped.is_file():
        return shipped
    examples = ", ".join(sorted(p.stem for p in EXAMPLES_DIR.glob("*.toml")))
    raise UserError(
        f"o arquivo de pipeline {name} não existe (exemplos embarcados: {examples}).",
        f"the pipeline file {name} does not exist (shipped examples: {examples}).",
    )


def load_pipeline(path: str | Path) -> Pipeline:
    """Read and check a pipeline file; a UserError names the first problem."""
    path = resolve_pipeline_path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise _bad(str(path), "não é um texto UTF-8", "is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise _bad(str(path), f"TOML inválido ({exc})", f"invalid TOML ({exc})") from None
    return parse_pipeline(data, str(path))


def parse_pipeline(data: dict, source: str = "pipeline") -> Pipeline:
    """A Pipeline from the parsed TOML ``data``, checked."""
    _unknown_keys(source, data, {"pipeline", "defaults", "agent"})
    head = data.get("pipeline", {})
    defaults = data.get("defaults", {})
    if not isinstance(head, dict) or not isinstance(defaults, dict):
        raise _bad(
            source,
            "[pipeline] e [defaults] precisam ser tabelas",
            "[pipeline] and [defaults] must be tables",
        )
    _unknown_keys(f"{source} [pipeline]", head, _PIPELINE_KEYS)
    _unknown_keys(f"{source} [defaults]", defaults, _BACKEND_KEYS)
    raw_agents = data.get("agent")
    if not isinstance(raw_agents, list) or not raw_agents:
        raise _bad(
            source,
            "nenhum agente: declare cada um numa tabela [[agent]] com role = ...",
            "no agents: declare each one in an [[agent]] table with role = ...",
        )
    agents: dict[str, AgentSpec] = {}
    for i, raw in enumerate(raw_agents, 1):
        where = f"{source} [[agent]] nº {i}"
        if not isinstance(raw, dict):
            raise _bad(where, "precisa ser uma tabela", "must be a table")
        _unknown_keys(where, raw, _AGENT_KEYS)
        role = raw.get("role")
        if role not in ROLES:
            raise _bad(
                where,
                f"papel desconhecido {role!r} (use {', '.join(ROLES)})",
                f"unknown role {role!r} (use {', '.join(ROLES)})",
            )
        if role in agents:
            raise _bad(where, f"o papel {role} aparece duas vezes", f"the role {role} comes twice")
        tools = raw.get("tools", [])
        if not isinstance(tools, list) or any(t not in KNOWN_TOOLS for t in tools):
            raise _bad(
                where,
                f"tools precisa ser uma lista com {' e/ou '.join(KNOWN_TOOLS)}",
                f"tools must be a list of {' and/or '.join(KNOWN_TOOLS)}",
            )
        merged = {**defaults, **{k: v for k, v in raw.items() if k in _BACKEND_KEYS}}
        temperature = merged.get("temperature", 0.0)
        if isinstance(temperature, bool) or not isinstance(temperature, (int, float)):
            raise _bad(where, "temperature precisa ser um número", "temperature must be a number")
        if not 0 <= temperature <= 2:
            raise _bad(where, "temperature vai de 0 a 2", "temperature goes from 0 to 2")
        agents[role] = AgentSpec(
            role=role,
            prompt=_str(where, "prompt", raw.get("prompt")) or DEFAULT_PROMPTS[role],
            next=_str(where, "next", raw.get("next")),
            send_back=_str(where, "send_back", raw.get("send_back")),
            revisions=_int(where, "revisions", raw.get("revisions", 1), 0, MAX_REVISIONS)
            if raw.get("send_back") is not None
            else 0,
            tools=tuple(tools),
            model=_str(where, "model", merged.get("model")),
            endpoint=_str(where, "endpoint", merged.get("endpoint")),
            api_model=_str(where, "api_model", merged.get("api_model")),
            max_new_tokens=_int(
                where,
                "max_new_tokens",
                merged.get("max_new_tokens", DEFAULT_MAX_NEW_TOKENS),
                1,
                4096,
            ),
            temperature=float(temperature),
            own_backend=any(k in raw for k in ("model", "endpoint", "api_model")),
        )
    pipeline = Pipeline(
        name=_str(source, "name", head.get("name")) or Path(source).stem,
        agents=agents,
        max_turns=_int(source, "max_turns", head.get("max_turns", DEFAULT_MAX_TURNS), 1, MAX_TURNS),
        max_tokens=_int(
            source, "max_tokens", head.get("max_tokens", DEFAULT_MAX_TOKENS), 1, MAX_TOKENS
        ),
        index=_str(source, "index", head.get("index")),
        retriever=_str(source, "retriever", head.get("retriever")) or "hybrid",
        k=_int(source, "k", head.get("k", 3), 1, 20),
        chars=_int(source, "chars", head.get("chars", 400), 20, 5000),
        source=source,
        defaults=dict(defaults),
    )
    check_flow(pipeline)
    return pipeline


def check_flow(pipeline: Pipeline) -> None:
    """Every link names an agent of the file, ``next`` links reach an end, and every agent is
    reached."""
    agents, where = pipeline.agents, pipeline.source
    for spec in agents.values():
        for key, target in (("next", spec.next), ("send_back", spec.send_back)):
            if target is not None and target not in agents:
                raise _bad(
                    where,
                    f"{spec.role}.{key} aponta para {target!r}, que não é um agente do arquivo",
                    f"{spec.role}.{key} points to {target!r}, which is not an agent of the file",
                )
        if spec.send_back is not None and spec.role != "critic":
            raise _bad(
                where,
                f"só o critic devolve trabalho (send_back está em {spec.role})",
                f"only the critic sends work back (send_back is on {spec.role})",
            )
    seen, role = [], pipeline.first
    while role is not None:
        if role in seen:
            circle = " -> ".join([*seen[seen.index(role) :], role])
            raise _bad(
                where,
                f"os agentes formam um laço sem saída ({circle}); termine a cadeia num agente "
                "sem next, e use send_back com revisions para voltar",
                f"the agents form a loop with no exit ({circle}); end the chain at an agent "
                "without next, and use send_back with revisions to go back",
            )
        seen.append(role)
        role = agents[role].next
    missing = [r for r in agents if r not in seen]
    if missing:
        raise _bad(
            where,
            f"o agente {missing[0]} nunca recebe a vez (nenhum next leva a ele)",
            f"the agent {missing[0]} never gets a turn (no next leads to it)",
        )
    for spec in agents.values():
        if spec.send_back is not None and seen.index(spec.send_back) > seen.index(spec.role):
            raise _bad(
                where,
                f"send_back de {spec.role} precisa voltar a um agente anterior",
                f"{spec.role}'s send_back must go back to an earlier agent",
            )


def with_backend(
    pipeline: Pipeline,
    model: str | None = None,
    endpoint: str | None = None,
    api_model: str | None = None,
) -> Pipeline:
    """The pipeline with a model (``--model`` or ``--endpoint/--api-model``) for every agent that
    names none in its own table (the file's [defaults] give way); then every agent must have one."""
    if endpoint and not api_model:
        raise UserError(
            "--endpoint precisa de --api-model (o nome do modelo no servidor).",
            "--endpoint needs --api-model (the model's name on the server).",
        )
    agents = {}
    for role, spec in pipeline.agents.items():
        if (model or endpoint) and not spec.own_backend:
            spec = replace(spec, model=model, endpoint=endpoint, api_model=api_model)
        if not (spec.model or spec.endpoint):
            raise UserError(
                f"o agente {role} não tem modelo: dê model (ou endpoint e api_model) no arquivo "
                "ou --model/--endpoint na linha de comando.",
                f"the agent {role} has no model: give model (or endpoint and api_model) in the "
                "file or --model/--endpoint on the command line.",
            )
        if spec.endpoint and not spec.api_model:
            raise UserError(
                f"o agente {role} usa o endpoint {spec.endpoint} sem api_model.",
                f"the agent {role} uses the endpoint {spec.endpoint} without api_model.",
            )
        agents[role] = spec
    return replace(pipeline, agents=agents)
