"""Classification fine-tuning: the same pre-trained GPT becomes, say, a spam detector.

The GPT body stays as it is; a small linear *head* reads one vector per text and gives one score per class.
That vector is the final hidden state of the last real token ("last": under causal attention it is the only
position that has seen the whole text) or the mean over all real tokens ("mean").

    finetune_classifier("runs/llmzero", "spam.tsv", "runs/spam")    # -> test metrics
    classify("runs/spam", "Você ganhou um prêmio! Clique no link")  # -> {"label": "spam", "probabilities": ...}

Data: CSV, TSV or JSONL with ``text`` and ``label`` (any number of classes) and an optional ``split`` column
(train / validation / test); without it, a seeded stratified 70/10/20 split. Texts longer than the context
are cut, keeping their *beginning* (as in the series; for messages the start says the most). Batches are
padded on the right; under causal attention a real token never looks at positions after it, so the padding
changes nothing the head reads and no attention mask is needed.
"""

from __future__ import annotations

import csv
import io
import random
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import torch
import torch.nn as nn
import torch.nn.functional as F

from llmzero.checkpoint import load_checkpoint, register_kind, save_checkpoint
from llmzero.data.files import bad_record, json_records, read_user_text
from llmzero.data.windows import batch_ranges
from llmzero.distributed import make_trainer
from llmzero.finetune.common import open_base
from llmzero.errors import UserError, t
from llmzero.fileio import write_json_atomic
from llmzero.model import GPT, GPTConfig
from llmzero.model.lora import DEFAULT_TARGETS, apply_lora, lora_parameter_count, merge_lora, save_lora
from llmzero.training.trainer import TrainConfig

POOLINGS = ("last", "mean")
SPLITS = {"train": "train", "validation": "validation", "val": "validation", "valid": "validation",
          "dev": "validation", "test": "test"}
# Fine-tuning starts from a trained model: fewer steps and a gentler learning rate than pre-training.
FINETUNE_DEFAULTS = dict(max_steps=300, lr=5e-4, warmup_steps=20, eval_every=50, eval_batches=25)


# -- the model -------------------------------------------------------------------------------------------------

class GPTClassifier(nn.Module):
    """A GPT body plus a classification head Linear(n_embd, n_classes) on a pooled hidden state."""

    def __init__(self, config: GPTConfig, n_classes: int, pooling: str = "last", gpt: GPT | None = None):
        super().__init__()
        check_pooling(pooling)
        self.config = config
        self.pooling = pooling
        self.gpt = gpt if gpt is not None else GPT(config)
        self.head = nn.Linear(config.n_embd, n_classes)
        nn.init.normal_(self.head.weight, std=0.02)
        nn.init.zeros_(self.head.bias)

    def pool(self, hidden: torch.Tensor, lengths: torch.Tensor | None) -> torch.Tensor:
        """(batch, T, n_embd) -> (batch, n_embd), reading only the first ``lengths[i]`` positions of row i."""
        B, T, _ = hidden.shape
        if lengths is None:
            lengths = torch.full((B,), T, device=hidden.device)
        if self.pooling == "last":
            return hidden[torch.arange(B, device=hidden.device), lengths - 1]
        real = (torch.arange(T, device=hidden.device)[None, :] < lengths[:, None]).to(hidden.dtype)
        return (hidden * real[:, :, None]).sum(1) / lengths[:, None].to(hidden.dtype)

    def forward(self, idx: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        """Class scores (batch, n_classes) for right-padded ids whose real lengths are ``lengths``."""
        hidden = self.gpt(idx, return_hidden=True, logits_last_only=True).hidden
        return self.head(self.pool(hidden, lengths))

    def param_groups(self, weight_decay: float) -> list[dict]:
        """AdamW groups over the trainable parameters: decay on matrices, none on biases and norms."""
        params = [p for p in self.parameters() if p.requires_grad]
        return [{"params": [p for p in params if p.dim() >= 2], "weight_decay": weight_decay},
                {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}]


def check_pooling(pooling: str) -> str:
    if pooling not in POOLINGS:
        raise UserError(f"pooling desconhecido: {pooling!r} (use last ou mean).",
                        f"unknown pooling: {pooling!r} (use last or mean).")
    return pooling


def _build_classifier(config: GPTConfig, meta: dict) -> GPTClassifier:
    return GPTClassifier(config, len(meta["classes"]), meta.get("pooling", "last"))


register_kind("classifier", _build_classifier, "classificador", "classifier")


def set_trainable(model: GPTClassifier, train: str) -> str:
    """Choose what learns: "all", "head" (only the head) or "last-N" (the last N blocks + final norm + head)."""
    gpt, n_layer = model.gpt, len(model.gpt.blocks)
    n = check_train_mode(train, n_layer)
    model.requires_grad_(train == "all")
    model.head.requires_grad_(True)
    if n:
        for block in gpt.blocks[n_layer - n:]:
            block.requires_grad_(True)
        gpt.ln_f.requires_grad_(True)
    return train


def check_train_mode(train: str, n_layer: int) -> int:
    """Validate a --train value; returns N for "last-N", else 0."""
    n = train[5:] if isinstance(train, str) and train.startswith("last-") else ""
    if train not in ("all", "head") and not (n.isdigit() and 1 <= int(n) <= n_layer):
        raise UserError(
            f"--train deve ser all, head ou last-N com N de 1 a {n_layer} (recebeu {train!r}).",
            f"--train must be all, head or last-N with N from 1 to {n_layer} (got {train!r}).")
    return int(n) if n else 0


# -- the data --------------------------------------------------------------------------------------------------

@dataclass
class Example:
    text: str
    label: str
    where: str  # "file:line", for messages


@dataclass
class ClassificationData:
    classes: list[str]
    train: list[Example]
    validation: list[Example]
    test: list[Example]
    source: str
    split: str  # "column" (the file's split column) or "stratified"


def _read_table(path: Path, text: str, delimiter: str) -> Iterator[tuple[dict, str]]:
    """Rows of a CSV/TSV with a header, as ({column: value}, "file:line")."""
    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quoting=quoting, strict=True)
    try:
        header = [h.strip().lower() for h in next(reader, [])]
        if "text" not in header or "label" not in header:
            sep = "TAB" if delimiter == "\t" else repr(delimiter)
            raise bad_record(f"{path}:1", f"esperava um cabeçalho com as colunas text e label separadas por {sep} "
                       f"(achei {header})", f"expected a header with the columns text and label separated by "
                       f"{sep} (found {header})")
        for row in reader:
            where = f"{path}:{reader.line_num}"
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) != len(header):
                raise bad_record(where, f"esperava {len(header)} colunas ({', '.join(header)}), achei {len(row)}",
                           f"expected {len(header)} columns ({', '.join(header)}), found {len(row)}")
            yield dict(zip(header, row)), where
    except csv.Error as exc:
        raise bad_record(f"{path}:{reader.line_num}", f"linha malformada ({exc})", f"malformed line ({exc})") from None


def read_labeled_file(path: str | Path) -> list[tuple[Example, str | None]]:
    """Every (example, split or None) of a CSV, TSV, JSONL or JSON file with ``text`` and ``label``."""
    path = Path(path)
    text = read_user_text(path, what=("dados", "data"))
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".json", ".ndjson"):
        records = json_records(path, text, ('esperava um objeto JSON com "text" e "label"',
                                            'expected a JSON object with "text" and "label"'),
                               json_list=suffix == ".json" and text.lstrip().startswith("["))
    else:
        first = text.split("\n", 1)[0]
        records = _read_table(path, text, "\t" if suffix in (".tsv", ".tab") or "\t" in first else ",")
    out, has_split = [], None
    for record, where in records:
        if not isinstance(record, dict):
            raise bad_record(where, "esperava um objeto com \"text\" e \"label\"", "expected an object with \"text\" and \"label\"")
        body, label, split = record.get("text"), record.get("label"), record.get("split")
        if not isinstance(body, str) or not body.strip():
            raise bad_record(where, "esperava um texto não vazio no campo text", "expected a non-empty text in the text field")
        if isinstance(label, (int, float)) and not isinstance(label, bool):
            label = str(label)
        if not isinstance(label, str) or not label.strip():
            raise bad_record(where, "esperava um rótulo não vazio no campo label", "expected a non-empty label in the label field")
        if has_split is None:
            has_split = "split" in record
        if has_split:
            if not isinstance(split, str) or split.strip().lower() not in SPLITS:
                raise bad_record(where, f"esperava split train, validation ou test (achei {split!r})",
                           f"expected split train, validation or test (found {split!r})")
            split = SPLITS[split.strip().lower()]
        out.append((Example(body, label.strip(), where), split if has_split else None))
    if not out:
        raise UserError(f"o arquivo {path} não tem nenhum exemplo.", f"the file {path} holds no examples.")
    return out


def stratified_split(examples: list[Example], seed: int, fractions=(0.7, 0.1, 0.2)) -> tuple[list, list, list]:
    """Shuffle each class with ``seed`` and cut it 70/10/20, so every split keeps the class proportions."""
    by_label: dict[str, list[Example]] = defaultdict(list)
    for e in examples:
        by_label[e.label].append(e)
    rng = random.Random(seed)
    train, val, test = [], [], []
    for label in sorted(by_label):
        items = list(by_label[label])
        rng.shuffle(items)
        a = round(len(items) * fractions[0])
        b = round(len(items) * (fractions[0] + fractions[1]))
        train += items[:a]
        val += items[a:b]
        test += items[b:]
    return train, val, test


def load_classification_data(path: str | Path, seed: int = 1337) -> ClassificationData:
    """Read a labelled file and split it (its split column, else stratified 70/10/20 with ``seed``)."""
    rows = read_labeled_file(path)
    if rows[0][1] is not None:
        parts = {s: [e for e, split in rows if split == s] for s in ("train", "validation", "test")}
        train, val, test, how = parts["train"], parts["validation"], parts["test"], "column"
    else:
        train, val, test = stratified_split([e for e, _ in rows], seed)
        how = "stratified"
    if not train or not test:
        which_pt, which_en = ("treino", "training") if not train else ("teste", "test")
        raise UserError(f"{path} não tem exemplos de {which_pt}.", f"{path} holds no {which_en} examples.")
    classes = sorted({e.label for e in train})
    if len(classes) < 2:
        raise UserError(f"o treino em {path} tem um só rótulo ({classes[0]!r}); são precisos ao menos dois.",
                        f"the training split of {path} has a single label ({classes[0]!r}); at least two are needed.")
    for e in val + test:
        if e.label not in classes:
            raise bad_record(e.where, f"o rótulo {e.label!r} não aparece no treino (rótulos do treino: {', '.join(classes)})",
                       f"the label {e.label!r} never appears in training (training labels: {', '.join(classes)})")
    return ClassificationData(classes, train, val, test, str(path), how)


def encode_texts(tokenizer, texts: list[str], max_length: int) -> list[list[int]]:
    """Token ids of each text, cut to its first ``max_length`` tokens (never empty)."""
    out = []
    for text in texts:
        ids = tokenizer.encode(text)[:max_length]
        out.append(ids or [pad_id(tokenizer)])
    return out


def pad_id(tokenizer) -> int:
    eot = getattr(tokenizer, "eot_id", None)
    return eot if eot is not None else 0


class ClassBatches:
    """Batches (ids padded on the right, lengths, labels). Training order: a fresh shuffle every epoch."""

    def __init__(self, ids: list[list[int]], labels: list[int], batch_size: int, pad: int = 0,
                 seed: int = 0, shuffle: bool = True):
        if not ids:
            raise UserError("não há exemplos para formar lotes.", "there are no examples to batch.")
        self.ids, self.labels, self.pad = ids, labels, pad
        self.batch_size = max(1, min(batch_size, len(ids)))
        self.seed, self.shuffle = seed, shuffle
        self.per_epoch = len(ids) // self.batch_size
        self._perm_epoch, self._perm = -1, None

    def __len__(self) -> int:
        return len(self.ids)

    def collate(self, indices) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        lengths = [len(self.ids[i]) for i in indices]
        x = torch.full((len(indices), max(lengths)), self.pad, dtype=torch.long)
        for row, i in enumerate(indices):
            x[row, : lengths[row]] = torch.tensor(self.ids[i], dtype=torch.long)
        return x, torch.tensor(lengths), torch.tensor([self.labels[i] for i in indices])

    def batch(self, index: int):
        """The index-th training batch; the order depends only on (seed, index)."""
        epoch, k = divmod(index, self.per_epoch)
        if epoch != self._perm_epoch:
            if self.shuffle:
                g = torch.Generator().manual_seed(self.seed * 100_003 + epoch)
                self._perm = torch.randperm(len(self.ids), generator=g).tolist()
            else:
                self._perm = list(range(len(self.ids)))
            self._perm_epoch = epoch
        return self.collate(self._perm[k * self.batch_size : (k + 1) * self.batch_size])

    def iterate(self, max_batches: int | None = None):
        """Every example once, in order (the last batch may be smaller), for evaluation."""
        for idx in batch_ranges(len(self.ids), self.batch_size, max_batches):
            yield self.collate(idx)

    @property
    def tokens_per_batch(self) -> int:
        return round(self.batch_size * sum(map(len, self.ids)) / len(self.ids))


def make_batches(examples: list[Example], classes: list[str], tokenizer, max_length: int, batch_size: int,
                 seed: int = 0, shuffle: bool = False) -> ClassBatches:
    index = {c: i for i, c in enumerate(classes)}
    ids = encode_texts(tokenizer, [e.text for e in examples], max_length)
    return ClassBatches(ids, [index[e.label] for e in examples], batch_size, pad_id(tokenizer), seed, shuffle)


def classification_loss(model: GPTClassifier, batch) -> torch.Tensor:
    x, lengths, y = batch
    return F.cross_entropy(model(x, lengths).float(), y)


@torch.no_grad()
def predict(model: GPTClassifier, batches: ClassBatches) -> tuple[list[int], list[int], torch.Tensor]:
    """(true labels, predicted labels, probabilities (n, n_classes)) over every example of ``batches``."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    true, probs = [], []
    for x, lengths, y in batches.iterate():
        probs.append(torch.softmax(model(x.to(device), lengths.to(device)).float(), dim=-1).cpu())
        true += y.tolist()
    model.train(was_training)
    probs = torch.cat(probs)
    return true, probs.argmax(-1).tolist(), probs


# -- metrics ---------------------------------------------------------------------------------------------------

def classification_metrics(y_true: list[int], y_pred: list[int], classes: list[str]) -> dict:
    """Accuracy, per-class and macro precision/recall/F1, and the confusion matrix (rows: true, columns: predicted)."""
    k = len(classes)
    confusion = [[0] * k for _ in range(k)]
    for a, b in zip(y_true, y_pred):
        confusion[a][b] += 1
    per_class = {}
    for i, name in enumerate(classes):
        tp = confusion[i][i]
        predicted = sum(confusion[r][i] for r in range(k))
        actual = sum(confusion[i])
        p = tp / predicted if predicted else 0.0
        r = tp / actual if actual else 0.0
        per_class[name] = {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "support": actual}
    n = len(y_true)
    macro = {m: sum(c[m] for c in per_class.values()) / k for m in ("precision", "recall", "f1")}
    return {"accuracy": sum(confusion[i][i] for i in range(k)) / n if n else 0.0, "examples": n,
            "classes": list(classes), "per_class": per_class, "macro": macro, "confusion": confusion}


def plot_confusion_matrix(confusion: list[list[int]], classes: list[str], path: str | Path,
                          title: str | None = None) -> Path:
    """The confusion matrix as a PNG: true class down the side, predicted across, the count in each cell."""
    from llmzero.plots import _pyplot, save_figure

    plt = _pyplot()
    k = len(classes)
    fig, ax = plt.subplots(figsize=(1.2 * k + 2.5, 1.0 * k + 2))
    top = max(max(row) for row in confusion) or 1
    ax.imshow(confusion, cmap="Blues", vmin=0, vmax=top)
    for i in range(k):
        for j in range(k):
            ax.text(j, i, str(confusion[i][j]), ha="center", va="center", fontsize=12,
                    color="white" if confusion[i][j] > top / 2 else "black")
    ax.set_xticks(range(k), classes, rotation=30 if k > 4 else 0)
    ax.set_yticks(range(k), classes)
    ax.set_xlabel(t("classe prevista", "predicted class"))
    ax.set_ylabel(t("classe verdadeira", "true class"))
    ax.set_title(title or t("Matriz de confusão (teste)", "Confusion matrix (test)"))
    return save_figure(fig, path)


# -- fine-tuning and inference ---------------------------------------------------------------------------------

def finetune_classifier(
    base: str | Path,
    data: str | Path,
    out: str | Path,
    *,
    pooling: str = "last",
    train: str = "last-2",
    lora: dict | None = None,
    batch_size: int = 8,
    max_length: int | None = None,
    overwrite: bool = False,
    log: Callable[[str], None] | None = None,
    **train_overrides,
) -> dict:
    """Turn the pre-trained "lm" checkpoint ``base`` into a classifier of ``data``; returns the test metrics.

    train: "all" | "head" | "last-N" (what learns); lora: {"rank", "alpha", "targets"?, "dropout"?} trains
    low-rank adapters instead (with the head). train_overrides: TrainConfig fields (max_steps, lr, seed, ...).
    Writes out/checkpoint (plain weights, kind "classifier"), out/metrics_test.json, out/confusion_matrix.png,
    out/metrics.jsonl, out/loss.png and, with LoRA, the adapter alone in out/adapter/.
    """
    log = log or (lambda msg: print(msg, file=sys.stderr))
    out = Path(out)
    check_pooling(pooling)
    cfg = TrainConfig(**{**FINETUNE_DEFAULTS, **{k: v for k, v in train_overrides.items() if v is not None}})
    if batch_size < 1:
        raise UserError("o tamanho do lote precisa ser positivo.", "the batch size must be positive.")
    base_ckpt = open_base(base, out, overwrite)
    tok, config = base_ckpt.tokenizer, base_ckpt.config
    if not lora:
        check_train_mode(train, config.n_layer)
    ds = load_classification_data(data, seed=cfg.seed)
    longest = max(len(ids) for ids in encode_texts(tok, [e.text for e in ds.train], config.context_length))
    max_length = min(max_length or longest, config.context_length)

    torch.manual_seed(cfg.seed)
    model = GPTClassifier(config, len(ds.classes), pooling, gpt=base_ckpt.model)
    lora_meta = None
    if lora:
        lora_meta = {"rank": int(lora["rank"]), "alpha": float(lora.get("alpha", 2 * int(lora["rank"]))),
                     "targets": list(lora.get("targets") or DEFAULT_TARGETS), "dropout": float(lora.get("dropout", 0.0)),
                     "merged": False}
        apply_lora(model, lora_meta["rank"], lora_meta["alpha"], lora_meta["targets"], lora_meta["dropout"])
        train = "lora"
    else:
        train = set_trainable(model, train)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())

    train_b = make_batches(ds.train, ds.classes, tok, max_length, batch_size, cfg.seed, shuffle=True)
    val_b = make_batches(ds.validation, ds.classes, tok, max_length, batch_size) if ds.validation else None
    test_b = make_batches(ds.test, ds.classes, tok, max_length, batch_size)
    meta = {"kind": "classifier", "model": config.to_dict(), "classes": ds.classes, "pooling": pooling,
            "max_length": max_length, "train": train, "lora": lora_meta, "base": str(base_ckpt.path),
            "data": {"source": ds.source, "split": ds.split, "train": len(ds.train),
                     "validation": len(ds.validation), "test": len(ds.test), "batch_size": batch_size}}
    counts = Counter(e.label for e in ds.train)
    log(t(f"Classes: {', '.join(f'{c} ({counts[c]})' for c in ds.classes)}. Exemplos: {len(ds.train)} treino, "
          f"{len(ds.validation)} validação, {len(ds.test)} teste; até {max_length} tokens por texto. "
          f"Treinando {trainable:,} de {total:,} parâmetros ({train}).",
          f"Classes: {', '.join(f'{c} ({counts[c]})' for c in ds.classes)}. Examples: {len(ds.train)} training, "
          f"{len(ds.validation)} validation, {len(ds.test)} test; up to {max_length} tokens per text. "
          f"Training {trainable:,} of {total:,} parameters ({train})."))

    def val_accuracy(m) -> dict:
        true, pred, _ = predict(m, val_b)
        return {"val_accuracy": sum(a == b for a, b in zip(true, pred)) / len(true)}

    trainer = make_trainer(model, train_b, val_b, cfg, out, tokenizer=tok, meta=meta, loss_fn=classification_loss,
                      extra_eval=val_accuracy if val_b is not None else None, log=log)
    result = trainer.fit()
    model = trainer.model
    if lora_meta:
        save_lora(model, out / "adapter", base=str(base_ckpt.path),
                  extra={"classes": ds.classes, "pooling": pooling, "max_length": max_length})
        lora_params = lora_parameter_count(model)
        merge_lora(model)
        meta["lora"] = dict(lora_meta, merged=True, parameters=lora_params)
        save_checkpoint(out / "checkpoint", model, tok, dict(meta, step=result.steps), metrics_file=out / "metrics.jsonl")

    true, pred, _ = predict(model, test_b)
    metrics = classification_metrics(true, pred, ds.classes)
    majority = max(counts, key=lambda c: (counts[c], c))
    metrics["majority_baseline"] = sum(e.label == majority for e in ds.test) / len(ds.test)
    write_json_atomic(out / "metrics_test.json", metrics)
    plot_confusion_matrix(metrics["confusion"], ds.classes, out / "confusion_matrix.png")
    last_val = next((r["val_accuracy"] for r in reversed(result.history) if "val_accuracy" in r), None)
    return {**metrics, "val_accuracy": last_val, "train_loss": result.train_loss, "val_loss": result.val_loss,
            "steps": result.steps, "elapsed": round(result.elapsed, 2), "stopped_by": result.stopped_by,
            "trainable_parameters": trainable, "total_parameters": total, "train": train, "pooling": pooling,
            "max_length": max_length, "out": str(out), "checkpoint": str(out / "checkpoint"),
            "adapter": str(out / "adapter") if lora_meta else None}


def load_classifier(model_dir: str | Path, device: str = "cpu"):
    """The checkpoint of a fine-tuned classifier (a UserError for any other kind of model)."""
    ckpt = load_checkpoint(model_dir, device=device, kinds=("classifier",))
    if ckpt.tokenizer is None:
        raise UserError(f"{ckpt.path} não tem tokenizer.json.", f"{ckpt.path} has no tokenizer.json.")
    ckpt.model.eval()
    return ckpt


def classify_texts(ckpt, texts: list[str], batch_size: int = 32) -> list[dict]:
    """{"label", "probabilities": {class: p}} for each text, with a loaded classifier checkpoint."""
    classes = ckpt.meta["classes"]
    max_length = min(ckpt.meta.get("max_length") or ckpt.config.context_length, ckpt.config.context_length)
    ids = encode_texts(ckpt.tokenizer, list(texts), max_length)
    batches = ClassBatches(ids, [0] * len(ids), batch_size, pad_id(ckpt.tokenizer), shuffle=False)
    _, pred, probs = predict(ckpt.model, batches)
    return [{"label": classes[k], "probabilities": {c: float(p) for c, p in zip(classes, row)}}
            for k, row in zip(pred, probs.tolist())]


def classify(model_dir: str | Path, text: str) -> dict:
    """Classify one text with the fine-tuned model in ``model_dir``: {"label", "probabilities": {class: p}}."""
    if not isinstance(text, str) or not text.strip():
        raise UserError("o texto a classificar está vazio.", "the text to classify is empty.")
    return classify_texts(load_classifier(model_dir), [text])[0]
