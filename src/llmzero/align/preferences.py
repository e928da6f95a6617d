"""Preference pairs: for one prompt, a response people prefer (*chosen*) and one they do not
(*rejected*).

DPO and the reward model learn from the same data, read, split, tokenized and batched here::

    {"instruction": "Explique o que é um átomo.", "input": "",
     "chosen": "Um átomo é a menor parte de um elemento químico.", "rejected": "Sei lá."}

A record may say ``prompt`` instead of ``instruction``; the book's shape (``instruction``,
``input``, ``output``, ``chosen``, ``rejected``) works too (``output`` is ignored). Optional
``kind`` (what the pair teaches) and ``split`` (train / validation / test) are kept.

A batch stacks each pair's chosen and rejected sequences in neighbouring rows (2i and 2i + 1), so a
batch cut into equal row blocks (several processes) keeps every pair whole. Only response tokens
are graded: targets are -100 on the prompt and on the padding.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import torch
import torch.nn.functional as F

from llmzero.data.files import bad_record, json_records, read_user_text
from llmzero.data.windows import batch_ranges
from llmzero.datasets import dataset_path
from llmzero.errors import UserError
from llmzero.finetune.instruct import TOO_LONG, split_examples
from llmzero.finetune.templates import DEFAULT_TEMPLATE, Template, get_template

DEFAULT_SPLIT = (0.8, 0.1, 0.1)
IGNORE_INDEX = -100
SPLITS = {"train": "train", "validation": "validation", "val": "validation", "test": "test"}


def too_long_rule(too_long: str | None, data) -> str:
    """What to do with pairs longer than the context when the caller did not say: skip them in the
    shipped set (written for every model size, so a small context loses a few), refuse them in the
    user's own file (so nothing of theirs is dropped silently)."""
    if too_long is not None:
        return too_long
    return "skip" if data is None else "error"


def default_preferences_path() -> Path:
    """The shipped Brazilian Portuguese preference pairs."""
    return dataset_path("preferencias_ptbr.json")


# -- reading ---------------------------------------------------------------------------------------


@dataclass
class Preference:
    instruction: str
    input: str
    chosen: str
    rejected: str
    where: str  # "file:line" (JSONL) or "file: record N" (JSON), for messages
    kind: str | None = None
    split: str | None = None  # "train" | "validation" | "test", when the file says

    def prompt_example(self) -> dict:
        """What ``Template.format_prompt`` reads: the instruction and its optional input."""
        return {"instruction": self.instruction, "input": self.input}


EXPECTED_PT = (
    'esperava um objeto JSON com "instruction" (ou "prompt"), "chosen" e "rejected" '
    '(textos não vazios) e, opcionalmente, "input"'
)
EXPECTED_EN = (
    'expected a JSON object with "instruction" (or "prompt"), "chosen" and "rejected" '
    '(non-empty texts) and, optionally, "input"'
)


def _text_field(record: dict, name: str, where: str) -> str:
    value = record.get(name)
    if value is not None and not isinstance(value, str):
        raise bad_record(
            where,
            f'{EXPECTED_PT}; o campo "{name}" precisa ser um texto',
            f'{EXPECTED_EN}; the "{name}" field must be a text',
        )
    if value is None or not value.strip():
        raise bad_record(
            where,
            f'{EXPECTED_PT}; o campo "{name}" está faltando ou vazio',
            f'{EXPECTED_EN}; the "{name}" field is missing or empty',
        )
    return value.strip()


def _optional_text(record: dict, name: str, where: str) -> str | None:
    value = record.get(name)
    if value is not None and not isinstance(value, str):
        raise bad_record(
            where,
            f'{EXPECTED_PT}; "{name}" precisa ser um texto',
            f'{EXPECTED_EN}; "{name}" must be a text',
        )
    return value


def _last_answer(messages, name: str, where: str) -> tuple[list[dict], str]:
    """(the turns before it, the last assistant answer) of a list of {"role", "content"}."""
    ok = messages and all(
        isinstance(m, dict) and isinstance(m.get("role"), str) and isinstance(m.get("content"), str)
        for m in messages
    )
    if not ok or messages[-1]["role"] != "assistant":
        raise bad_record(
            where,
            f'"{name}" como lista precisa ser de mensagens {{"role", "content"}} terminando numa '
            'do "assistant"',
            f'"{name}" as a list must hold {{"role", "content"}} messages ending with an '
            '"assistant" one',
        )
    return messages[:-1], messages[-1]["content"]


def _last_user(turns: list[dict]) -> str | None:
    return next((m["content"] for m in reversed(turns) if m.get("role") == "user"), None)


def _hh_split(text: str) -> tuple[str, str] | None:
    """Anthropic HH's shape, one string per answer: (the last human turn, the final answer)."""
    head, sep, answer = text.rpartition("\n\nAssistant:")
    if not sep:
        return None
    human = head.rpartition("Human:")[2]
    return human.strip(), answer.strip()


def common_shape(record: dict, where: str) -> dict:
    """Other common preference shapes turned into ours: chat messages (TRL's conversational
    format: "chosen"/"rejected", and optionally "prompt", as lists of {"role", "content"}; the
    instruction is the last user turn) and Anthropic HH's "Human: ... Assistant: ..." strings."""
    chosen, rejected = record.get("chosen"), record.get("rejected")
    has_prompt = record.get("instruction") is not None or record.get("prompt") is not None
    if isinstance(chosen, list) and isinstance(rejected, list):
        before, answer = _last_answer(chosen, "chosen", where)
        _, other = _last_answer(rejected, "rejected", where)
        prompt = record.get("prompt")
        if isinstance(prompt, list):
            before = prompt
        elif isinstance(prompt, str):
            before = [{"role": "user", "content": prompt}]
        return {**record, "prompt": _last_user(before), "chosen": answer, "rejected": other}
    if not has_prompt and isinstance(chosen, str) and isinstance(rejected, str):
        a, b = _hh_split(chosen), _hh_split(rejected)
        if a and b:
            return {**record, "prompt": a[0], "chosen": a[1], "rejected": b[1]}
    return record


def parse_preference(record, where: str) -> Preference:
    """One record checked; a UserError naming ``where`` says what is wrong with it."""
    if not isinstance(record, dict):
        raise bad_record(where, EXPECTED_PT, EXPECTED_EN)
    record = common_shape(record, where)
    # "prompt" stands in for "instruction"; with neither, the message names "instruction"
    name = "prompt" if record.get("instruction") is None and "prompt" in record else "instruction"
    instruction = _text_field(record, name, where)
    chosen = _text_field(record, "chosen", where)
    rejected = _text_field(record, "rejected", where)
    input_text = _optional_text(record, "input", where) or ""
    kind = _optional_text(record, "kind", where)
    split = _optional_text(record, "split", where)
    if split is not None:
        if split.strip().lower() not in SPLITS:
            raise bad_record(
                where,
                f'"split" deve ser train, validation ou test (recebeu {split!r})',
                f'"split" must be train, validation or test (got {split!r})',
            )
        split = SPLITS[split.strip().lower()]
    if chosen == rejected:
        raise bad_record(
            where,
            '"chosen" e "rejected" são iguais: o par não ensina preferência nenhuma',
            '"chosen" and "rejected" are the same: the pair teaches no preference',
        )
    return Preference(instruction, input_text.strip(), chosen, rejected, where, kind, split)


def read_preferences(path: str | Path) -> list[Preference]:
    """Every pair of a JSON list or JSONL file, checked; a UserError names the bad record."""
    path = Path(path)
    text = read_user_text(path, what=("dados", "data"))
    out = [
        parse_preference(record, where)
        for record, where in json_records(path, text, (EXPECTED_PT, EXPECTED_EN))
    ]
    if not out:
        raise UserError(
            f"o arquivo {path} não tem nenhum par de preferência.",
            f"the file {path} holds no preference pairs.",
        )
    return out


def split_preferences(
    prefs: Sequence[Preference], seed: int = 1337, split: Sequence[float] = DEFAULT_SPLIT
) -> tuple[list[Preference], list[Preference], list[Preference]]:
    """(train, validation, test): the file's own ``split`` fields when every record has one,
    otherwise a seeded shuffle cut by the fractions ``split``."""
    if prefs and all(p.split is not None for p in prefs):
        parts = {s: [p for p in prefs if p.split == s] for s in ("train", "validation", "test")}
        if not parts["train"]:
            raise UserError(
                'nenhum par tem "split": "train"; não há o que treinar.',
                'no pair has "split": "train"; there is nothing to train on.',
            )
        return parts["train"], parts["validation"], parts["test"]
    return split_examples(list(prefs), seed, split)


# -- tokens ----------------------------------------------------------------------------------------


@dataclass
class EncodedPair:
    prompt_ids: list[int]
    chosen_ids: list[int]  # the chosen response and the end marker
    rejected_ids: list[int]
    where: str

    @property
    def longest(self) -> int:
        """Tokens of the prompt plus the longer response."""
        return len(self.prompt_ids) + max(len(self.chosen_ids), len(self.rejected_ids))


def encode_pair(
    tokenizer, template: Template, pref: Preference, system: str | None = None
) -> EncodedPair:
    """Prompt and responses are tokenized separately, so the boundary is exact and matches
    inference."""
    example = pref.prompt_example()
    if system:
        example["system"] = system
    prompt = tokenizer.encode(template.format_prompt(example))
    chosen = tokenizer.encode(template.format_response({"output": pref.chosen}))
    rejected = tokenizer.encode(template.format_response({"output": pref.rejected}))
    return EncodedPair(prompt, chosen, rejected, pref.where)


def encode_pairs(
    tokenizer,
    template: Template,
    prefs: Sequence[Preference],
    context_length: int,
    too_long: str = "error",
    system: str | None = None,
) -> tuple[list[EncodedPair], int]:
    """Tokenize every pair; (encoded, how many were cut or skipped).

    A pair is long when its prompt plus its longer response pass the context. too_long: "error"
    (a UserError naming the first long pair), "truncate" (cut both responses to fit; a pair whose
    prompt fills the context, or whose cut responses are equal, is skipped), or "skip".
    """
    if too_long not in TOO_LONG:
        raise UserError(
            f"too_long deve ser error, truncate ou skip (recebeu {too_long!r}).",
            f"too_long must be error, truncate or skip (got {too_long!r}).",
        )
    encoded = [encode_pair(tokenizer, template, p, system) for p in prefs]
    long = [e for e in encoded if e.longest > context_length]
    if long and too_long == "error":
        e = long[0]
        n_prompt, n_resp = len(e.prompt_ids), e.longest - len(e.prompt_ids)
        raise UserError(
            f"{e.where}: prompt + resposta mais longa têm {e.longest} tokens (prompt {n_prompt}, "
            f"resposta {n_resp}), mais que o contexto do modelo ({context_length}); {len(long)} "
            f"de {len(encoded)} pares passam do limite. Use --truncate (corta o fim das "
            "respostas) ou --skip-long (pula), ou um modelo com contexto maior.",
            f"{e.where}: prompt + longer response have {e.longest} tokens (prompt {n_prompt}, "
            f"response {n_resp}), more than the model's context ({context_length}); {len(long)} "
            f"of {len(encoded)} pairs are over the limit. Use --truncate (cut the end of the "
            "responses) or --skip-long (skip them), or a model with a longer context.",
        )
    kept = []
    for e in encoded:
        if e.longest <= context_length:
            kept.append(e)
        elif too_long == "truncate":
            room = context_length - len(e.prompt_ids)
            chosen, rejected = e.chosen_ids[:room], e.rejected_ids[:room]
            if room >= 1 and chosen != rejected:
                kept.append(EncodedPair(e.prompt_ids, chosen, rejected, e.where))
    return kept, len(long)


# -- batches ---------------------------------------------------------------------------------------


def collate_pairs(
    pairs: Sequence[EncodedPair],
    index: Sequence[int] | None = None,
    pad: int = 0,
    ignore_index: int = IGNORE_INDEX,
) -> tuple[torch.Tensor, ...]:
    """(inputs, targets, pair_index, lengths) with 2 rows per pair: chosen at 2i, rejected at 2i+1.

    inputs hold the whole prompt + response, right-padded with ``pad`` (the reward model reads the
    last real token, at ``lengths - 1``); targets[j] = inputs[j + 1], ``ignore_index`` on the
    prompt, the last real token and the padding, so only response tokens are graded.
    pair_index gives, for each row, the number of its pair (``index``, default 0..n-1).
    """
    index = list(range(len(pairs))) if index is None else list(index)
    width = max(e.longest for e in pairs)
    rows = 2 * len(pairs)
    inputs = torch.full((rows, width), pad, dtype=torch.long)
    targets = torch.full((rows, width), ignore_index, dtype=torch.long)
    lengths = torch.zeros(rows, dtype=torch.long)
    for i, e in enumerate(pairs):
        for row, response in ((2 * i, e.chosen_ids), (2 * i + 1, e.rejected_ids)):
            ids = torch.tensor(e.prompt_ids + response, dtype=torch.long)
            n = len(ids)
            inputs[row, :n] = ids
            targets[row, len(e.prompt_ids) - 1 : n - 1] = ids[len(e.prompt_ids) :]
            lengths[row] = n
    pair_index = torch.tensor(index, dtype=torch.long).repeat_interleave(2)
    return inputs, targets, pair_index, lengths


class PairBatches:
    """Batches of pairs for the Trainer. Training order: a fresh seeded shuffle every epoch.

    ``first_index`` numbers the pairs (pair_index = first_index + position), so that several
    sources (train, validation, test) can share one table of cached reference log-probs.
    """

    def __init__(
        self,
        pairs: Sequence[EncodedPair],
        batch_size: int,
        pad: int = 0,
        seed: int = 0,
        shuffle: bool = True,
        first_index: int = 0,
    ):
        if not pairs:
            raise UserError("não há pares para formar lotes.", "there are no pairs to batch.")
        if any(not e.prompt_ids or not e.chosen_ids or not e.rejected_ids for e in pairs):
            raise UserError(
                "cada par precisa de um prompt e de duas respostas com ao menos um token.",
                "every pair needs a prompt and two responses of at least one token.",
            )
        self.pairs, self.pad, self.first_index = list(pairs), pad, first_index
        self.batch_size = max(1, min(batch_size, len(self.pairs)))  # in pairs (2 rows each)
        self.seed, self.shuffle = seed, shuffle
        self.per_epoch = len(self.pairs) // self.batch_size
        self._perm_epoch, self._perm = -1, None

    def __len__(self) -> int:
        return len(self.pairs)

    def collate(self, positions) -> tuple[torch.Tensor, ...]:
        positions = list(positions)
        return collate_pairs(
            [self.pairs[i] for i in positions], [self.first_index + i for i in positions], self.pad
        )

    def order(self, epoch: int) -> list[int]:
        if epoch != self._perm_epoch:
            if self.shuffle:
                g = torch.Generator().manual_seed(self.seed * 100_003 + epoch)
                self._perm = torch.randperm(len(self.pairs), generator=g).tolist()
            else:
                self._perm = list(range(len(self.pairs)))
            self._perm_epoch = epoch
        return self._perm

    def batch(self, index: int) -> tuple[torch.Tensor, ...]:
        """The index-th training batch; which pairs it holds depends only on (seed, index)."""
        epoch, k = divmod(index, self.per_epoch)
        return self.collate(self.order(epoch)[k * self.batch_size : (k + 1) * self.batch_size])

    def iterate(self, max_batches: int | None = None):
        """Every pair once, in order (the last batch may be smaller), for evaluation."""
        for positions in batch_ranges(len(self.pairs), self.batch_size, max_batches):
            yield self.collate(positions)

    @property
    def tokens_per_batch(self) -> int:
        total = sum(
            2 * len(e.prompt_ids) + len(e.chosen_ids) + len(e.rejected_ids) for e in self.pairs
        )
        return round(self.batch_size * total / len(self.pairs))


def response_logprobs(model, inputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Per row, the SUM of the log-probabilities the GPT ``model`` gives the target tokens (where
    target != -100): log p(response | prompt), one number per row."""
    logits = model(inputs).logits
    nll = F.cross_entropy(
        logits.reshape(-1, logits.size(-1)).float(),
        targets.reshape(-1),
        ignore_index=IGNORE_INDEX,
        reduction="none",
    )
    return -nll.view(targets.shape).sum(dim=1)


def batch_logprobs(model, batch: tuple[torch.Tensor, ...]) -> torch.Tensor:
    """response_logprobs of a PairBatches batch. Its last column only ever holds a last token or
    padding, whose targets are all -100, so the model does not read it."""
    inputs, targets = batch[0], batch[1]
    return response_logprobs(model, inputs[:, :-1], targets[:, :-1])


@dataclass
class PairSplits:
    """A preference file read, split and encoded for one model: what DPO and the reward model
    both train on."""

    source: Path
    prefs: list[Preference]
    template: Template
    system: str | None
    train: list[EncodedPair]
    val: list[EncodedPair]
    test: list[EncodedPair]
    long: int  # pairs cut or skipped for the context
    too_long: str

    @property
    def split_from(self) -> str:
        return "file" if all(p.split for p in self.prefs) else "shuffle"


def load_pair_splits(
    data,
    tokenizer,
    meta: dict,
    context_length: int,
    *,
    seed: int,
    split: Sequence[float] = DEFAULT_SPLIT,
    too_long: str | None = None,
    min_train: int = 2,
    who: tuple[str, str] = ("o treino", "training"),
) -> PairSplits:
    """Read ``data`` (None: the shipped pairs), split it and encode it in the template and system
    prompt of the checkpoint whose ``meta`` is given; refuse when too few pairs are left to train
    (at least ``min_train``) and to validate (one)."""
    too_long = too_long_rule(too_long, data)
    source = Path(data) if data is not None else default_preferences_path()
    prefs = read_preferences(source)
    template = get_template(meta.get("template") or DEFAULT_TEMPLATE, tokenizer)
    system = meta.get("system_prompt")
    parts = [
        encode_pairs(tokenizer, template, part, context_length, too_long, system)
        for part in split_preferences(prefs, seed, split)
    ]
    (train, n1), (val, n2), (test, n3) = parts
    if len(train) < min_train or not val:
        raise UserError(
            f"com {len(prefs)} pares em {source}, sobram {len(train)} para treino e {len(val)} "
            f"para validação; {who[0]} precisa de ao menos {min_train} de treino e 1 de "
            "validação (use mais pares, ou --truncate se muitos são longos demais).",
            f"with {len(prefs)} pairs in {source}, {len(train)} are left for training and "
            f"{len(val)} for validation; {who[1]} needs at least {min_train} training pairs and 1 "
            "validation pair (use more pairs, or --truncate if many are too long).",
        )
    return PairSplits(source, prefs, template, system, train, val, test, n1 + n2 + n3, too_long)
