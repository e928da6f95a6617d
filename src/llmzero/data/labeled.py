"""Labelled texts (for classification): read a CSV, TSV, JSON or JSONL file, turn texts into padded
batches.

A file holds ``text`` and ``label`` and, optionally, ``split`` (train / validation / test).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import torch

from llmzero.data.files import bad_record, json_records, read_user_text
from llmzero.data.windows import batch_ranges
from llmzero.errors import UserError

SPLITS = {
    "train": "train",
    "validation": "validation",
    "val": "validation",
    "valid": "validation",
    "dev": "validation",
    "test": "test",
}


@dataclass
class Example:
    text: str
    label: str
    where: str  # "file:line", for messages


def _read_table(path: Path, text: str, delimiter: str) -> Iterator[tuple[dict, str]]:
    """Rows of a CSV/TSV with a header, as ({column: value}, "file:line")."""
    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=delimiter, quoting=quoting, strict=True
    )
    try:
        header = [h.strip().lower() for h in next(reader, [])]
        if "text" not in header or "label" not in header:
            sep = "TAB" if delimiter == "\t" else repr(delimiter)
            raise bad_record(
                f"{path}:1",
                f"esperava um cabeçalho com as colunas text e label separadas por {sep} "
                f"(achei {header})",
                f"expected a header with the columns text and label separated by "
                f"{sep} (found {header})",
            )
        for row in reader:
            where = f"{path}:{reader.line_num}"
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) != len(header):
                raise bad_record(
                    where,
                    f"esperava {len(header)} colunas ({', '.join(header)}), achei {len(row)}",
                    f"expected {len(header)} columns ({', '.join(header)}), found {len(row)}",
                )
            yield dict(zip(header, row)), where
    except csv.Error as exc:
        raise bad_record(
            f"{path}:{reader.line_num}", f"linha malformada ({exc})", f"malformed line ({exc})"
        ) from None


def read_labeled_file(path: str | Path) -> list[tuple[Example, str | None]]:
    """Every (example, split or None) of a CSV, TSV, JSONL or JSON file with ``text`` and
    ``label``."""
    path = Path(path)
    text = read_user_text(path, what=("dados", "data"))
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".json", ".ndjson"):
        records = json_records(
            path,
            text,
            (
                'esperava um objeto JSON com "text" e "label"',
                'expected a JSON object with "text" and "label"',
            ),
            json_list=suffix == ".json" and text.lstrip().startswith("["),
        )
    else:
        first = text.split("\n", 1)[0]
        records = _read_table(
            path, text, "\t" if suffix in (".tsv", ".tab") or "\t" in first else ","
        )
    out, has_split = [], None
    for record, where in records:
        if not isinstance(record, dict):
            raise bad_record(
                where,
                'esperava um objeto com "text" e "label"',
                'expected an object with "text" and "label"',
            )
        body, label, split = record.get("text"), record.get("label"), record.get("split")
        if not isinstance(body, str) or not body.strip():
            raise bad_record(
                where,
                "esperava um texto não vazio no campo text",
                "expected a non-empty text in the text field",
            )
        if isinstance(label, (int, float)) and not isinstance(label, bool):
            label = str(label)
        if not isinstance(label, str) or not label.strip():
            raise bad_record(
                where,
                "esperava um rótulo não vazio no campo label",
                "expected a non-empty label in the label field",
            )
        if has_split is None:
            has_split = "split" in record
        if has_split:
            if not isinstance(split, str) or split.strip().lower() not in SPLITS:
                raise bad_record(
                    where,
                    f"esperava split train, validation ou test (achei {split!r})",
                    f"expected split train, validation or test (found {split!r})",
                )
            split = SPLITS[split.strip().lower()]
        out.append((Example(body, label.strip(), where), split if has_split else None))
    if not out:
        raise UserError(
            f"o arquivo {path} não tem nenhum exemplo.", f"the file {path} holds no examples."
        )
    return out


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
    """Batches (ids padded on the right, lengths, labels). Training order: a fresh shuffle every
    epoch."""

    def __init__(
        self,
        ids: list[list[int]],
        labels: list[int],
        batch_size: int,
        pad: int = 0,
        seed: int = 0,
        shuffle: bool = True,
    ):
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


def make_batches(
    examples: list[Example],
    classes: list[str],
    tokenizer,
    max_length: int,
    batch_size: int,
    seed: int = 0,
    shuffle: bool = False,
) -> ClassBatches:
    index = {c: i for i, c in enumerate(classes)}
    ids = encode_texts(tokenizer, [e.text for e in examples], max_length)
    return ClassBatches(
        ids, [index[e.label] for e in examples], batch_size, pad_id(tokenizer), seed, shuffle
    )
