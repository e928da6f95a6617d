"""Hugging Face tokenizers of the byte-level BPE kind, read into our own ``BPETokenizer``.

GPT-2, Llama 3 and Qwen2/2.5/3 ship a ``tokenizer.json`` whose model is a BPE over GPT-2's byte
alphabet (a space is 'Ġ'). What each part of that file becomes here:

- ``model.vocab`` / ``model.merges``: our vocabulary (same ids) and merges, kept in file order;
  such a tokenizer follows Hugging Face's rule (``rule="merges"``: the pair listed first merges
  first), and ``ignore_merges`` (Llama 3) takes a chunk that is a whole token as is;
- ``added_tokens`` (``<|endoftext|>``, ``<|im_start|>``, ``<|eot_id|>``...): special tokens,
  matched as single tokens in the text;
- ``normalizer`` (Qwen2: NFC) and ``pre_tokenizer``: a ``Split`` with the family's regex then
  ``ByteLevel(use_regex=False)``, or GPT-2's ``ByteLevel(use_regex=True)``;
- ``tokenizer_config.json`` (and ``config.json`` / ``generation_config.json``): the eos and bos
  tokens, the tokens that end a reply, and the chat template (also read from
  ``chat_template.jinja``).

The post-processor is not applied: ``encode`` never adds a bos token by itself (a chat template
writes it). Other kinds (WordPiece, Unigram, Llama 2's SentencePiece-style BPE) are refused.
``save_hf_tokenizer`` writes any of our byte-level BPEs back as tokenizer.json +
tokenizer_config.json.

    tok = load_hf_tokenizer("models/Qwen2.5-0.5B-Instruct")
    tok.encode("<|im_start|>user\\nOlá!<|im_end|>")
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import regex

from llmzero.errors import UserError
from llmzero.fileio import write_json_atomic
from llmzero.tokenizers.base import EOT
from llmzero.tokenizers.bpe import GPT2_PATTERN, BPETokenizer, bytes_to_text, text_to_bytes

TOKENIZER_FILE, CONFIG_FILE = "tokenizer.json", "tokenizer_config.json"
WHOLE_TEXT = r"[\s\S]+"  # the pattern when nothing cuts the text before BPE
# Hugging Face's normalizers that we apply too, by their name in our settings
HF_NORMALIZERS = {
    "NFC": "NFC",
    "NFD": "NFD",
    "NFKC": "NFKC",
    "NFKD": "NFKD",
    "Lowercase": "lowercase",
}


class Unsupported(Exception):
    """What in a tokenizer.json llmzero cannot read (a short English phrase)."""


def is_hf_tokenizer(d: Any) -> bool:
    """Whether a JSON document is a Hugging Face tokenizer.json (it has a "model" object)."""
    return isinstance(d, dict) and isinstance(d.get("model"), dict) and "type" not in d


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as e:
        raise UserError(
            f"não consegui ler {path} como JSON ({e}).", f"could not read {path} as JSON ({e})."
        ) from None


def _types(steps: Any) -> str:
    return ", ".join(str(s.get("type")) if isinstance(s, dict) else "?" for s in steps)


def _describe(step: Any) -> str:
    """A step of the pipeline by its type: "ByteLevel", "Sequence(Replace, ByteFallback)"..."""
    if not isinstance(step, dict):
        return "malformed"
    kind = str(step.get("type"))
    inner = step.get("decoders") or step.get("pretokenizers") or step.get("normalizers")
    return f"{kind}({_types(inner)})" if kind == "Sequence" and inner else kind


def _steps(step: Any, key: str) -> list[dict]:
    """A pipeline step as a flat list (a Sequence is unrolled; None is empty)."""
    if step is None:
        return []
    if not isinstance(step, dict):
        raise Unsupported(f"a malformed {key} entry")
    if step.get("type") == "Sequence":
        return [s for inner in step.get(key, []) for s in _steps(inner, key)]
    return [step]


def _model_type(model: dict) -> str:
    if model.get("type"):
        return str(model["type"])
    if "merges" in model:
        return "BPE"
    if isinstance(model.get("vocab"), list):
        return "Unigram"
    return "WordPiece" if "max_input_chars_per_word" in model else "WordLevel"


def _check_model(d: dict) -> dict:
    model = d["model"]
    kind = _model_type(model)
    if kind != "BPE":
        raise Unsupported(kind)
    decoder = d.get("decoder")
    if decoder is None:
        raise Unsupported("BPE without a decoder")
    if not _steps(decoder, "decoders") or any(
        s.get("type") != "ByteLevel" for s in _steps(decoder, "decoders")
    ):
        raise Unsupported(f"BPE with a {_describe(decoder)} decoder")
    if model.get("byte_fallback"):
        raise Unsupported("BPE with byte_fallback")
    for key in ("continuing_subword_prefix", "end_of_word_suffix"):
        if model.get(key):
            raise Unsupported(f"BPE with a {key}")
    if model.get("dropout"):
        raise Unsupported("BPE with dropout")
    return model


def _pre_tokenizer(d: dict) -> tuple[str, bool]:
    """(our pattern, add_prefix_space) for the normalizer-free part of the pipeline."""
    patterns, byte_level = [], None
    for step in _steps(d.get("pre_tokenizer"), "pretokenizers"):
        kind = step.get("type")
        if kind == "Split":
            pattern = step.get("pattern") or {}
            if step.get("behavior") != "Isolated" or step.get("invert"):
                behavior = step.get("behavior")
                raise Unsupported(f"BPE with a Split pre-tokenizer of behavior {behavior}")
            if "Regex" in pattern:
                patterns.append(pattern["Regex"])
            elif "String" in pattern:
                patterns.append(regex.escape(pattern["String"]))
            else:
                raise Unsupported("BPE with a Split pre-tokenizer without a pattern")
        elif kind == "ByteLevel" and byte_level is None:
            byte_level = step
            if step.get("use_regex", True):
                patterns.append(GPT2_PATTERN)
        else:
            raise Unsupported(f"BPE with a {kind} pre-tokenizer")
    if byte_level is None:
        raise Unsupported("BPE without a ByteLevel pre-tokenizer")
    prefix = bool(byte_level.get("add_prefix_space", True))
    if len(patterns) > 1:
        raise Unsupported("BPE with two pre-tokenizers that split the text")
    if prefix and patterns and patterns[0] != GPT2_PATTERN:
        raise Unsupported("BPE with a Split pre-tokenizer before a prefix space")
    return (patterns[0] if patterns else WHOLE_TEXT), prefix


def _normalizer(d: dict) -> list[str]:
    out = []
    for step in _steps(d.get("normalizer"), "normalizers"):
        if step.get("type") not in HF_NORMALIZERS:
            raise Unsupported(f"BPE with a {step.get('type')} normalizer")
        out.append(HF_NORMALIZERS[step["type"]])
    return out


def _token_text(value: Any) -> str | None:
    """A token as tokenizer_config.json writes it: a string or {"content": ...}."""
    if isinstance(value, dict):
        value = value.get("content")
    return value if isinstance(value, str) and value else None


def _ids(value: Any) -> list[int]:
    if isinstance(value, int):
        return [value]
    return [i for i in value if isinstance(i, int)] if isinstance(value, list) else []


def _chat_template(config: dict, folder: Path | None) -> str | None:
    if folder is not None and (folder / "chat_template.jinja").is_file():
        return (folder / "chat_template.jinja").read_text(encoding="utf-8")
    template = config.get("chat_template")
    if isinstance(template, list):  # named templates: the default one, else the first
        named = {t.get("name"): t.get("template") for t in template if isinstance(t, dict)}
        template = named.get("default", next(iter(named.values()), None))
    return template if isinstance(template, str) and template else None


def _build(d: dict, config: dict, model_configs: list[dict], folder: Path | None) -> BPETokenizer:
    model = _check_model(d)
    pattern, prefix = _pre_tokenizer(d)
    normalizer = _normalizer(d)
    vocab_map: dict[str, int] = model.get("vocab") or {}
    specials: dict[str, int] = {}
    for added in d.get("added_tokens") or []:
        if any(added.get(k) for k in ("lstrip", "rstrip", "single_word")):
            raise Unsupported("BPE with an added token that strips spaces or stands alone")
        specials[str(added["content"])] = int(added["id"])
    # Ordinary tokens: the model's, minus the ids an added token takes over.
    by_id = {int(i): s for s, i in vocab_map.items()}
    special_ids = {i: s for s, i in specials.items()}
    ordinary = [i for i in by_id if i not in special_ids]
    size = 1 + max([*ordinary, -1])
    vocab = []
    for i in range(size):
        if i in special_ids:
            vocab.append(special_ids[i].encode("utf-8"))
        elif i in by_id:
            vocab.append(text_to_bytes(by_id[i]))
        else:
            raise ValueError(f"no token has id {i}")
    merges: dict[tuple[int, int], int] = {}
    for merge in model.get("merges") or []:
        a, b = merge.split(" ", 1) if isinstance(merge, str) else merge
        merges[(vocab_map[a], vocab_map[b])] = vocab_map[a + b]
    eos = _token_text(config.get("eos_token"))
    id_text = {i: s for s, i in specials.items()}
    config_ids = [i for c in model_configs for i in _ids(c.get("eos_token_id"))]
    config_eos = [id_text[i] for i in config_ids if i in id_text]
    if eos not in specials:
        eos = config_eos[0] if config_eos else None
    stops = list(dict.fromkeys([eos, *config_eos] if eos else config_eos))
    bos = _token_text(config.get("bos_token"))
    return BPETokenizer(
        vocab,
        merges,
        specials,
        pattern,
        name="hf",
        rule="merges",
        ignore_merges=bool(model.get("ignore_merges")),
        normalizer=normalizer,
        add_prefix_space=prefix,
        eos_token=eos,
        bos_token=bos if bos in specials else None,
        stop_tokens=stops,
        chat_template=_chat_template(config, folder),
    )


def tokenizer_from_hf(
    d: Any,
    config: dict | None = None,
    model_configs: list[dict] | None = None,
    folder: Path | None = None,
    source: str = "tokenizer.json",
) -> BPETokenizer:
    """Our tokenizer for a parsed tokenizer.json ``d``, with its tokenizer_config.json
    ``config`` and the eos ids of config.json / generation_config.json (``model_configs``)."""
    config = config if isinstance(config, dict) else {}
    model_configs = [c for c in model_configs or [] if isinstance(c, dict)]
    try:
        if not is_hf_tokenizer(d):
            raise Unsupported("not a Hugging Face tokenizer.json")
        return _build(d, config, model_configs, folder)
    except Unsupported as e:
        raise UserError(
            f"o tokenizador do Hugging Face em {source} é do tipo {e}, que o llmzero não lê: só "
            "BPE em nível de bytes (como o do GPT-2, Llama 3 e Qwen2) é suportado.",
            f"the Hugging Face tokenizer in {source} is of type {e}, which llmzero cannot read: "
            "only byte-level BPE (as in GPT-2, Llama 3 and Qwen2) is supported.",
        ) from None
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise UserError(
            f"o tokenizer.json do Hugging Face em {source} está corrompido ({e!r}).",
            f"the Hugging Face tokenizer.json in {source} is corrupted ({e!r}).",
        ) from None


def load_hf_tokenizer(folder_or_file: str | os.PathLike, parsed: Any = None) -> BPETokenizer:
    """Read a Hugging Face checkpoint's tokenizer (a folder, or its tokenizer.json, whose JSON
    may be given already ``parsed``); the tokenizer_config.json, config.json and
    generation_config.json beside it are read too."""
    path = Path(folder_or_file)
    file = path / TOKENIZER_FILE if path.is_dir() else path
    if not file.is_file():
        raise UserError(
            f"{file} não encontrado: um tokenizador do Hugging Face precisa do {TOKENIZER_FILE}.",
            f"{file} not found: a Hugging Face tokenizer needs its {TOKENIZER_FILE}.",
        )
    folder = file.parent
    side = {}
    for name in (CONFIG_FILE, "config.json", "generation_config.json"):
        side[name] = _read_json(folder / name) if (folder / name).is_file() else {}
    return tokenizer_from_hf(
        _read_json(file) if parsed is None else parsed,
        side[CONFIG_FILE],
        [side["config.json"], side["generation_config.json"]],
        folder,
        str(file),
    )


def hf_tokenizer_json(tok: BPETokenizer) -> dict:
    """``tok`` as a Hugging Face tokenizer.json document. Exact for a tokenizer read from one; for
    one that follows tiktoken's rule (GPT-2's, ours), Hugging Face merges by the merge list, which
    gives the same ids for GPT-2's files and for nearly every text with ours."""
    special_ids = {i: s for s, i in tok.special_tokens.items()}
    # A special token inside the vocabulary's range stays in the model's vocabulary (as Hugging
    # Face keeps it); one after it is only an added token.
    text = {i: special_ids.get(i) or bytes_to_text(b) for i, b in enumerate(tok.vocab)}
    vocab = {s: i for i, s in text.items()}
    added = [
        {"id": i, "content": s, "single_word": False, "lstrip": False, "rstrip": False}
        | {"normalized": False, "special": True}
        for s, i in sorted(tok.special_tokens.items(), key=lambda kv: kv[1])
    ]
    byte_level = {"type": "ByteLevel", "add_prefix_space": tok.add_prefix_space}
    byte_level |= {"trim_offsets": True, "use_regex": tok.pattern == GPT2_PATTERN}
    if tok.pattern in (GPT2_PATTERN, WHOLE_TEXT):
        pre: dict = byte_level
    else:
        split = {"type": "Split", "pattern": {"Regex": tok.pattern}, "behavior": "Isolated"}
        pre = {"type": "Sequence", "pretokenizers": [split | {"invert": False}, byte_level]}
    forms = {v: k for k, v in HF_NORMALIZERS.items()}
    steps = [{"type": forms[n]} for n in tok.normalizer]
    normalizer = steps[0] if len(steps) == 1 else None
    if len(steps) > 1:
        normalizer = {"type": "Sequence", "normalizers": steps}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": normalizer,
        "pre_tokenizer": pre,
        "post_processor": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True}
        | {"use_regex": True},
        "model": {
            "type": "BPE",
            "dropout": None,
            "unk_token": None,
            "continuing_subword_prefix": None,
            "end_of_word_suffix": None,
            "fuse_unk": False,
            "byte_fallback": False,
            "ignore_merges": tok.ignore_merges or tok.rule == "rank",
            "vocab": vocab,
            "merges": [[text[a], text[b]] for a, b in tok.merges],
        },
    }


def save_hf_tokenizer(tok: BPETokenizer, folder: str | os.PathLike) -> list[str]:
    """Write ``tok`` as Hugging Face's tokenizer.json and tokenizer_config.json (eos/bos tokens,
    chat template) into ``folder``; returns the file names."""
    folder = Path(folder)
    write_json_atomic(folder / TOKENIZER_FILE, hf_tokenizer_json(tok), indent=None)
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "clean_up_tokenization_spaces": False,
        "bos_token": tok.bos_token,
        "eos_token": tok.eos_token or (EOT if tok.eot_id is not None else None),
    }
    if tok.chat_template:
        config["chat_template"] = tok.chat_template
    write_json_atomic(folder / CONFIG_FILE, config)
    return [TOKENIZER_FILE, CONFIG_FILE]
