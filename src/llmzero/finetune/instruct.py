"""Instruction tuning: a pre-trained GPT learns to answer requests instead of merely continuing
text.

The data are (instruction, optional input, output) triples in the Alpaca format. Each one is written
with a prompt template (see ``templates``) as prompt + response + end marker, tokenized, and trained
with the ordinary next-token loss. Two details make it instruction tuning rather than more
pre-training:

- **prompt masking** (``mask_prompt=True``): the targets of the prompt positions are set to -100, so
  the loss (GPT's cross-entropy ignores -100) measures only the answer. The model still *reads* the
  prompt; it is just not graded on predicting it. With ``mask_prompt=False`` it also learns to write
  instructions.
- **the end marker**: the answer ends with ``<|endoftext|>``, and that token is a target, so the
  model learns to stop. Batches are padded with the same token, but padding targets are -100: only
  the first end-of-text of each example is learned.

    finetune_instruct("runs/llmzero", out="runs/instrucoes")       # the shipped pt-BR instructions
    finetune_instruct("runs/gpt2", "instruction-data.json", "runs/alpaca", template="alpaca")

The data are split once, deterministically (seeded shuffle, 85/5/10 % train/validation/test). After
training the model answers every test instruction greedily and the answers go to
``out/test_responses.jsonl``.
"""

from __future__ import annotations

import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import torch

from llmzero.data.files import bad_record, json_records, read_user_text
from llmzero.data.windows import batch_ranges
from llmzero.datasets import dataset_path
from llmzero.errors import UserError, t
from llmzero.fileio import write_text_atomic
from llmzero.finetune.common import open_base, save_merged_lora
from llmzero.finetune.templates import DEFAULT_TEMPLATE, Template, get_template, stop_strings
from llmzero.generation import generate_batch
from llmzero.model.lora import apply_lora, lora_settings
from llmzero.sampling import sampling_preset
from llmzero.training.distributed import make_trainer
from llmzero.training.trainer import TrainConfig, check_batch_size

DEFAULT_SPLIT = (0.85, 0.05, 0.10)
TOO_LONG = ("error", "truncate", "skip")
# Fine-tuning starts from a trained model: fewer steps and a gentler learning rate than
# pre-training.
INSTRUCT_TRAINING = TrainConfig(
    max_steps=500, lr=5e-4, warmup_steps=20, eval_every=50, eval_batches=20
)


def default_data_path() -> Path:
    return dataset_path("instrucoes_ptbr.json")


# -- reading ---------------------------------------------------------------------------------------


@dataclass
class Instruction:
    instruction: str
    input: str
    output: str
    where: str  # "file:line" (JSONL) or "file: record N" (JSON), for messages
    system: str | None = None  # a system text the templates put before the instruction
    context: str = ""  # retrieved passages the answer comes from (the templates' context slot)

    def to_dict(self) -> dict:
        d = {"instruction": self.instruction, "input": self.input, "output": self.output}
        return {**d, "context": self.context} if self.context else d


EXPECTED_PT = (
    'esperava um objeto JSON com "instruction" e "output" (textos não vazios) '
    'e, opcionalmente, "input"'
)
EXPECTED_EN = (
    'expected a JSON object with "instruction" and "output" (non-empty texts) '
    'and, optionally, "input"'
)


def read_instructions(path: str | Path) -> list[Instruction]:
    """Every example of an Alpaca-format JSON list or JSONL file, checked; a UserError names the bad
    record."""
    path = Path(path)
    text = read_user_text(path, what=("dados", "data"))
    out = []
    for record, where in json_records(path, text, (EXPECTED_PT, EXPECTED_EN)):
        if not isinstance(record, dict):
            raise bad_record(where, EXPECTED_PT, EXPECTED_EN)
        instruction, output, input_text = (
            record.get("instruction"),
            record.get("output"),
            record.get("input"),
        )
        if input_text is None:
            input_text = ""
        for name, value in (("instruction", instruction), ("output", output)):
            if not isinstance(value, str) or not value.strip():
                raise bad_record(
                    where,
                    f'{EXPECTED_PT}; o campo "{name}" está faltando ou vazio',
                    f'{EXPECTED_EN}; the "{name}" field is missing or empty',
                )
        if not isinstance(input_text, str):
            raise bad_record(
                where,
                f'{EXPECTED_PT}; "input" precisa ser um texto',
                f'{EXPECTED_EN}; "input" must be a text',
            )
        context = read_context(record.get("context"), where)
        out.append(
            Instruction(
                instruction.strip(), input_text.strip(), output.strip(), where, context=context
            )
        )
    if not out:
        raise UserError(
            f"o arquivo {path} não tem nenhum exemplo.", f"the file {path} holds no examples."
        )
    return out


def read_context(value, where: str) -> str:
    """An example's optional "context": a text, or a list of passages numbered [1], [2]..."""
    if value is None:
        return ""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "\n".join(f"[{i}] {v.strip()}" for i, v in enumerate(value, start=1))
    if not isinstance(value, str):
        raise bad_record(
            where,
            f'{EXPECTED_PT}; "context" precisa ser um texto ou uma lista de textos',
            f'{EXPECTED_EN}; "context" must be a text or a list of texts',
        )
    return value.strip()


def split_examples(
    examples: Sequence, seed: int = 1337, fractions: Sequence[float] = DEFAULT_SPLIT
):
    """(train, validation, test): a seeded shuffle cut by ``fractions``; the same seed always gives
    the same cut."""
    if len(fractions) != 3 or any(f < 0 for f in fractions) or abs(sum(fractions) - 1.0) > 1e-6:
        raise UserError(
            "as frações treino/validação/teste precisam ser três números >= 0 que somam 1.",
            "the train/validation/test fractions must be three numbers >= 0 adding up to 1.",
        )
    order = list(range(len(examples)))
    random.Random(seed).shuffle(order)
    n_test, n_val = round(len(order) * fractions[2]), round(len(order) * fractions[1])
    n_train = len(order) - n_test - n_val
    if n_train < 1:
        raise UserError(
            f"com {len(examples)} exemplos não sobra nenhum para treino.",
            f"with {len(examples)} examples none is left for training.",
        )
    pick = lambda idx: [examples[i] for i in idx]  # noqa: E731
    return (
        pick(order[:n_train]),
        pick(order[n_train : n_train + n_val]),
        pick(order[n_train + n_val :]),
    )


# -- tokens and batches ----------------------------------------------------------------------------


@dataclass
class Encoded:
    ids: list[int]  # prompt + response + end marker
    prompt_len: int  # how many of ``ids`` are the prompt
    where: str


def encode_example(tokenizer, template: Template, example) -> Encoded:
    """Prompt and response are tokenized separately, so the boundary is exact and matches
    inference."""
    prompt = tokenizer.encode(template.format_prompt(example))
    response = tokenizer.encode(template.format_response(example))
    return Encoded(prompt + response, len(prompt), getattr(example, "where", ""))


def encode_examples(
    tokenizer, template: Template, examples: Sequence, context_length: int, too_long: str = "error"
) -> tuple[list[Encoded], int]:
    """Tokenize every example; (encoded, how many were cut or skipped). An example may use the whole
    context.

    too_long: "error" (a UserError naming the first long example), "truncate" (keep its first
    ``context_length`` tokens; an example whose prompt alone fills the context is skipped, as it
    would teach nothing), or "skip".
    """
    if too_long not in TOO_LONG:
        raise UserError(
            f"too_long deve ser error, truncate ou skip (recebeu {too_long!r}).",
            f"too_long must be error, truncate or skip (got {too_long!r}).",
        )
    encoded = [encode_example(tokenizer, template, e) for e in examples]
    long = [e for e in encoded if len(e.ids) > context_length]
    if long and too_long == "error":
        e = long[0]
        raise UserError(
            f"{e.where}: prompt + resposta têm {len(e.ids)} tokens (prompt {e.prompt_len}, "
            "resposta "
            f"{len(e.ids) - e.prompt_len}), mais que o contexto do modelo ({context_length}); "
            f"{len(long)} de "
            f"{len(encoded)} exemplos passam do limite. Use --truncate (corta o fim) ou "
            "--skip-long (pula), "
            "ou um modelo com contexto maior.",
            f"{e.where}: prompt + response have {len(e.ids)} tokens (prompt {e.prompt_len}, "
            "response "
            f"{len(e.ids) - e.prompt_len}), more than the model's context ({context_length}); "
            f"{len(long)} of "
            f"{len(encoded)} examples are over the limit. Use --truncate (cut the end) or "
            "--skip-long (skip them), "
            "or a model with a longer context.",
        )
    kept = []
    for e in encoded:
        if len(e.ids) <= context_length:
            kept.append(e)
        elif too_long == "truncate" and e.prompt_len < context_length:
            kept.append(Encoded(e.ids[:context_length], e.prompt_len, e.where))
    return kept, len(long)


def pad_id(tokenizer) -> int:
    eot = getattr(tokenizer, "eot_id", None)
    return eot if eot is not None else 0


def collate(
    examples: Sequence[Encoded], pad: int = 0, mask_prompt: bool = True, ignore_index: int = -100
) -> tuple[torch.Tensor, torch.Tensor]:
    """(inputs, targets) of shape (batch, longest - 1).

    Row i: inputs = ids[:-1], targets = ids[1:] (the next token at every position), padded on the
    right with ``pad`` (inputs) and ``ignore_index`` (targets). With ``mask_prompt``, the targets
    that are prompt tokens are ``ignore_index`` too: target j is ids[j + 1], a prompt token while j
    + 1 < prompt_len. The first response token (predicted from the last prompt token) and the final
    end marker stay targets.
    """
    width = max(len(e.ids) for e in examples) - 1
    inputs = torch.full((len(examples), width), pad, dtype=torch.long)
    targets = torch.full((len(examples), width), ignore_index, dtype=torch.long)
    for row, e in enumerate(examples):
        ids = torch.tensor(e.ids, dtype=torch.long)
        n = len(e.ids) - 1
        inputs[row, :n] = ids[:-1]
        targets[row, :n] = ids[1:]
        if mask_prompt:
            targets[row, : max(e.prompt_len - 1, 0)] = ignore_index
    return inputs, targets


class InstructionBatches:
    """Batches (inputs, targets) for the Trainer. Training order: a fresh seeded shuffle every
    epoch."""

    def __init__(
        self,
        examples: Sequence[Encoded],
        batch_size: int,
        pad: int = 0,
        mask_prompt: bool = True,
        seed: int = 0,
        shuffle: bool = True,
    ):
        if not examples:
            raise UserError("não há exemplos para formar lotes.", "there are no examples to batch.")
        if any(len(e.ids) < 2 for e in examples):
            raise UserError(
                "cada exemplo precisa de ao menos dois tokens.",
                "every example needs at least two tokens.",
            )
        self.examples, self.pad, self.mask_prompt = list(examples), pad, mask_prompt
        self.batch_size = max(1, min(batch_size, len(self.examples)))
        self.seed, self.shuffle = seed, shuffle
        self.per_epoch = len(self.examples) // self.batch_size
        self._perm_epoch, self._perm = -1, None

    def __len__(self) -> int:
        return len(self.examples)

    def collate(self, indices) -> tuple[torch.Tensor, torch.Tensor]:
        return collate([self.examples[i] for i in indices], self.pad, self.mask_prompt)

    def order(self, epoch: int) -> list[int]:
        if epoch != self._perm_epoch:
            if self.shuffle:
                g = torch.Generator().manual_seed(self.seed * 100_003 + epoch)
                self._perm = torch.randperm(len(self.examples), generator=g).tolist()
            else:
                self._perm = list(range(len(self.examples)))
            self._perm_epoch = epoch
        return self._perm

    def batch(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        """The index-th training batch; which examples it holds depends only on (seed, index)."""
        epoch, k = divmod(index, self.per_epoch)
        return self.collate(self.order(epoch)[k * self.batch_size : (k + 1) * self.batch_size])

    def iterate(self, max_batches: int | None = None):
        """Every example once, in order (the last batch may be smaller), for evaluation."""
        for idx in batch_ranges(len(self.examples), self.batch_size, max_batches):
            yield self.collate(idx)

    @property
    def tokens_per_batch(self) -> int:
        return round(
            self.batch_size * sum(len(e.ids) - 1 for e in self.examples) / len(self.examples)
        )


# -- answering -------------------------------------------------------------------------------------


def cut_at_stop(text: str, stops: Sequence[str]) -> str:
    cuts = [i for i in (text.find(s) for s in stops if s) if i >= 0]
    return (text[: min(cuts)] if cuts else text).strip()


@torch.no_grad()
def answer_batch(
    model,
    tokenizer,
    template: Template,
    examples: Sequence,
    max_new_tokens: int = 100,
    batch_size: int = 16,
) -> list[str]:
    """Greedy answers to ``examples`` (dicts or Instructions), cut at the end marker or the next
    section marker."""
    ctx = model.config.context_length
    stops = stop_strings(template, tokenizer)
    eos = getattr(tokenizer, "eot_id", None)
    cfg = sampling_preset("greedy", max_new_tokens=max_new_tokens, eos_id=eos)
    prompts = [
        tokenizer.encode(template.format_prompt(e))[-ctx:] or [pad_id(tokenizer)] for e in examples
    ]
    answers = []
    for start in range(0, len(prompts), batch_size):
        for new in generate_batch(model, prompts[start : start + batch_size], cfg):
            if eos is not None and eos in new:
                new = new[: new.index(eos)]
            answers.append(cut_at_stop(tokenizer.decode(new), stops))
    return answers


# -- fine-tuning -----------------------------------------------------------------------------------


def finetune_instruct(
    base: str | Path,
    data: str | Path | None = None,
    out: str | Path = "runs/instrucoes",
    *,
    template: str | None = None,
    mask_prompt: bool = True,
    lora: dict | None = None,
    batch_size: int = 8,
    too_long: str = "error",
    split: Sequence[float] = DEFAULT_SPLIT,
    system_prompt: str | None = None,
    max_new_tokens: int | None = None,
    test_limit: int | None = None,
    extra_train: Sequence | None = None,
    overwrite: bool = False,
    log: Callable[[str], None] | None = None,
    **training,
) -> dict:
    """Instruction-tune the "lm" checkpoint ``base`` on ``data`` (default: the shipped pt-BR
    instructions).

    template: "comando" | "alpaca" | "chat" | "jinja" (None: the base's own, else "comando");
    mask_prompt: grade only the answers; lora: {"rank",
    "alpha", "targets"?, "dropout"?} trains low-rank adapters instead of every weight; too_long:
    "error" | "truncate" | "skip" for examples longer than the context; system_prompt: a system text
    put in every example (and remembered by `llmzero chat`); test_limit: answer only the first N
    test examples; extra_train: more examples (Instructions) for the training split only, such as
    the context-grounded ones of ``llmzero.rag.grounded_examples``; training: TrainConfig fields
    (max_steps, lr, seed, ...). Writes out/checkpoint (kind "lm", meta stage "instruct"),
    out/test_responses.jsonl, out/metrics.jsonl, out/loss.png and, with LoRA, out/adapter/.
    """
    log = log or (lambda msg: print(msg, file=sys.stderr))
    out = Path(out)
    cfg = INSTRUCT_TRAINING.updated(**training)
    check_batch_size(batch_size)
    base_ckpt = open_base(base, out, overwrite)
    tok, config, model = base_ckpt.tokenizer, base_ckpt.config, base_ckpt.model
    tpl = get_template(template or base_ckpt.meta.get("template", DEFAULT_TEMPLATE), tok)
    data_path = Path(data) if data is not None else default_data_path()
    examples = read_instructions(data_path)
    if system_prompt:
        for e in examples:
            e.system = system_prompt
    train_ex, val_ex, test_ex = split_examples(examples, cfg.seed, split)
    for e in extra_train or ():
        e.system = system_prompt or e.system
    ctx = config.context_length
    train_enc, train_long = encode_examples(tok, tpl, train_ex, ctx, too_long)
    val_enc, val_long = encode_examples(tok, tpl, val_ex, ctx, too_long)
    # the extra examples that do not fit the context are left out (they were not the user's data)
    extra_enc = encode_examples(tok, tpl, extra_train or [], ctx, "skip")[0]
    train_enc += extra_enc
    if not train_enc:
        raise UserError(
            "nenhum exemplo de treino cabe no contexto do modelo.",
            "no training example fits the model's context.",
        )

    torch.manual_seed(cfg.seed)
    lora_meta = lora_settings(lora)
    if lora_meta:
        apply_lora(
            model,
            lora_meta["rank"],
            lora_meta["alpha"],
            lora_meta["targets"],
            lora_meta["dropout"],
            keep_trainable=(),
        )
    else:
        model.requires_grad_(True)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())

    pad = pad_id(tok)
    train_b = InstructionBatches(
        train_enc, batch_size, pad, mask_prompt, seed=cfg.seed, shuffle=True
    )
    val_b = (
        InstructionBatches(val_enc, batch_size, pad, mask_prompt, shuffle=False)
        if val_enc
        else None
    )
    meta = {
        "kind": "lm",
        "model": config.to_dict(),
        "stage": "instruct",
        "template": tpl.name,
        "mask_prompt": mask_prompt,
        "system_prompt": system_prompt,
        "base": str(base_ckpt.path),
        "lora": lora_meta,
        "data": {
            "source": str(data_path),
            "shipped": data is None,
            "train": len(train_enc),
            "validation": len(val_enc),
            "test": len(test_ex),
            "seed": cfg.seed,
            "split": list(split),
            "too_long": too_long,
            "extra_train": len(extra_train or ()),
            "extra_train_used": len(extra_enc),
            "long_examples": train_long + val_long,
            "batch_size": batch_size,
        },
    }
    what = f"LoRA r={lora_meta['rank']}" if lora_meta else t("todos os pesos", "all weights")
    n_long = train_long + val_long
    graded = (
        t("só as respostas contam na perda", "only the responses count in the loss")
        if mask_prompt
        else t("prompt e resposta contam na perda", "prompt and response count in the loss")
    )
    log(
        t(
            f"Formato '{tpl.name}'; {graded}. Exemplos: {len(train_enc)} treino, {len(val_enc)} "
            "validação, "
            f"{len(test_ex)} teste{f' ({n_long} longos demais: {too_long})' if n_long else ''}. "
            f"Treinando {trainable:,} de {total:,} parâmetros ({what}).",
            f"Template '{tpl.name}'; {graded}. Examples: {len(train_enc)} training, {len(val_enc)} "
            "validation, "
            f"{len(test_ex)} test{f' ({n_long} too long: {too_long})' if n_long else ''}. "
            f"Training {trainable:,} of {total:,} parameters ({what}).",
        )
    )

    trainer = make_trainer(model, train_b, val_b, cfg, out, tokenizer=tok, meta=meta, log=log)
    result = trainer.fit()
    model = trainer.model
    if lora_meta:
        save_merged_lora(
            model,
            out,
            tok,
            meta,
            base=base_ckpt.path,
            extra={"template": tpl.name, "stage": "instruct"},
            steps=result.steps,
        )

    # Answer the held-out test instructions, greedily, with the fine-tuned model.
    answered = test_ex if test_limit is None else test_ex[:test_limit]
    if max_new_tokens is None:  # a little more than the longest training answer
        max_new_tokens = min(ctx, max(len(e.ids) - e.prompt_len for e in train_enc) + 8)
    model.eval()
    responses = answer_batch(model, tok, tpl, answered, max_new_tokens) if answered else []
    rows = [
        {"instruction": e.instruction, "input": e.input, "reference": e.output, "response": r}
        for e, r in zip(answered, responses)
    ]
    write_text_atomic(
        out / "test_responses.jsonl",
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
    )
    exact = sum(r["response"] == r["reference"] for r in rows)
    return {
        "train_loss": result.train_loss,
        "val_loss": result.val_loss,
        "steps": result.steps,
        "elapsed": round(result.elapsed, 2),
        "stopped_by": result.stopped_by,
        "tokens_per_second": round(result.tokens_per_second, 1),
        "template": tpl.name,
        "mask_prompt": mask_prompt,
        "train_examples": len(train_enc),
        "val_examples": len(val_enc),
        "test_examples": len(test_ex),
        "long_examples": train_long + val_long,
        "trainable_parameters": trainable,
        "total_parameters": total,
        "test_answered": len(rows),
        "test_exact_match": exact / len(rows) if rows else None,
        "samples": rows[:3],
        "out": str(out),
        "checkpoint": str(out / "checkpoint"),
        "test_responses": str(out / "test_responses.jsonl"),
        "adapter": str(out / "adapter") if lora_meta else None,
    }
