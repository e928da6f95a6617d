"""GPT-2 weights in and out of Hugging Face format, checked against transformers itself."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from llmzero import cli
from llmzero.checkpoint import load_checkpoint, save_checkpoint
from llmzero.errors import UserError
from llmzero.generation import SamplingConfig, generate_ids
from llmzero.interop.hf import export_hf, import_gpt2, write_hf_tokenizer
from llmzero.model import GPT, GPTConfig
from llmzero.tokenizers import BPETokenizer, CharTokenizer

transformers = pytest.importorskip("transformers")
TEXT = (
    "the quick brown fox jumps over the lazy dog. " * 40
    + "olá mundo, tudo bem? o céu é azul. " * 30
)
SAMPLE = "the lazy fox says olá mundo!<|endoftext|> tudo azul"


@pytest.fixture(scope="module")
def small_bpe() -> BPETokenizer:
    return BPETokenizer(use_tiktoken=False).train(TEXT, vocab_size=300)


def make_hf_model(seed: int = 0, vocab_size: int = 320):
    torch.manual_seed(seed)
    config = transformers.GPT2Config(
        n_layer=2,
        n_head=2,
        n_embd=32,
        n_positions=64,
        vocab_size=vocab_size,
        bos_token_id=None,
        eos_token_id=None,
    )
    return transformers.GPT2LMHeadModel(config).eval()


@pytest.fixture
def hf_dir(tmp_path, small_bpe):
    """A random small GPT-2 saved by transformers, with our BPE written as vocab.json +
    merges.txt."""
    model = make_hf_model()
    folder = tmp_path / "hf"
    model.save_pretrained(folder, safe_serialization=True)
    write_hf_tokenizer(small_bpe, folder, 64)
    return folder, model


def ids_batch(vocab=320, seed=1):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, vocab, (2, 64), generator=g)


def assert_nothing_left(parent: Path, name: str):
    assert not (parent / name).exists()
    assert not [p for p in parent.iterdir() if p.name.startswith("." + name)], (
        "temporary folder left behind"
    )


# --- import ---------------------------------------------------------------------------------------
def test_import_gives_the_same_logits(hf_dir, tmp_path):
    src, model = hf_dir
    out = import_gpt2(src, tmp_path / "ours")
    ckpt = load_checkpoint(out)
    config = ckpt.config
    assert (
        config.n_layer,
        config.n_head,
        config.n_embd,
        config.context_length,
        config.vocab_size,
    ) == (2, 2, 32, 64, 320)
    assert config.tie_weights and config.bias and config.dropout == 0.0
    assert ckpt.meta["imported_from"]["format"] == "huggingface-gpt2"
    ids = ids_batch()
    with torch.no_grad():
        theirs = model(ids).logits
        ours = ckpt.model.eval()(ids).logits
    assert ours.dtype == torch.float32
    torch.testing.assert_close(ours, theirs, atol=1e-5, rtol=0)


def test_import_greedy_continuation_matches_transformers(hf_dir, tmp_path, small_bpe):
    src, model = hf_dir
    ckpt = load_checkpoint(import_gpt2(src, tmp_path / "ours"))
    prompt = small_bpe.encode("the quick brown")
    steps = list(generate_ids(ckpt.model, prompt, SamplingConfig(max_new_tokens=20, temperature=0)))
    ours = [s.token_id for s in steps]
    with torch.no_grad():
        theirs = model.generate(
            torch.tensor([prompt]), max_new_tokens=20, do_sample=False, pad_token_id=0
        )
    assert len(ours) == 20
    assert ours == theirs[0, len(prompt) :].tolist()


def test_import_keeps_the_tokenizer(hf_dir, tmp_path, small_bpe):
    src, _ = hf_dir
    ckpt = load_checkpoint(import_gpt2(src, tmp_path / "ours"))
    assert isinstance(ckpt.tokenizer, BPETokenizer)
    assert ckpt.tokenizer.encode(SAMPLE) == small_bpe.encode(SAMPLE)
    assert ckpt.tokenizer.eot_id == small_bpe.eot_id


def test_import_without_prefix_and_with_mask_buffers(hf_dir, tmp_path):
    """OpenAI's own upload names tensors without "transformer." and stores the causal-mask
    buffers."""
    src, model = hf_dir
    tensors = load_file(str(src / "model.safetensors"))
    renamed = {k.removeprefix("transformer."): v for k, v in tensors.items()}
    for i in range(2):
        renamed[f"h.{i}.attn.bias"] = torch.tril(torch.ones(1, 1, 64, 64))
        renamed[f"h.{i}.attn.masked_bias"] = torch.tensor(-1e4)
    save_file(renamed, str(src / "model.safetensors"), metadata={"format": "pt"})
    ckpt = load_checkpoint(import_gpt2(src, tmp_path / "ours"))
    ids = ids_batch(seed=3)
    with torch.no_grad():
        torch.testing.assert_close(ckpt.model(ids).logits, model(ids).logits, atol=1e-5, rtol=0)


def test_import_sharded_safetensors(hf_dir, tmp_path):
    src, model = hf_dir
    tensors = load_file(str(src / "model.safetensors"))
    (src / "model.safetensors").unlink()
    names = sorted(tensors)
    shards = {
        "model-00001-of-00002.safetensors": names[: len(names) // 2],
        "model-00002-of-00002.safetensors": names[len(names) // 2 :],
    }
    for file, part in shards.items():
        save_file({n: tensors[n] for n in part}, str(src / file), metadata={"format": "pt"})
    index = {"weight_map": {n: file for file, part in shards.items() for n in part}}
    (src / "model.safetensors.index.json").write_text(json.dumps(index))
    ckpt = load_checkpoint(import_gpt2(src, tmp_path / "ours"))
    ids = ids_batch(seed=4)
    with torch.no_grad():
        torch.testing.assert_close(ckpt.model(ids).logits, model(ids).logits, atol=1e-5, rtol=0)


def test_import_half_precision_weights(hf_dir, tmp_path):
    src, model = hf_dir
    tensors = {k: v.half() for k, v in load_file(str(src / "model.safetensors")).items()}
    save_file(tensors, str(src / "model.safetensors"), metadata={"format": "pt"})
    ckpt = load_checkpoint(import_gpt2(src, tmp_path / "ours"))
    assert ckpt.model.tok_emb.weight.dtype == torch.float32
    torch.testing.assert_close(ckpt.model.tok_emb.weight, tensors["transformer.wte.weight"].float())


def test_import_tokenizer_from_openai_files(hf_dir, tmp_path, small_bpe):
    """--tokenizer DIR with encoder.json + vocab.bpe (OpenAI's names for vocab.json +
    merges.txt)."""
    src, _ = hf_dir
    tok_dir = tmp_path / "openai"
    tok_dir.mkdir()
    shutil.move(src / "vocab.json", tok_dir / "encoder.json")
    shutil.move(src / "merges.txt", tok_dir / "vocab.bpe")
    ckpt = load_checkpoint(import_gpt2(src, tmp_path / "ours", tokenizer_dir=tok_dir))
    assert ckpt.tokenizer.encode(SAMPLE) == small_bpe.encode(SAMPLE)


def test_real_gpt2_vocabulary_round_trip(tmp_path, gpt2_dir):
    """The real GPT-2 vocabulary: imported from encoder.json/vocab.bpe, exported as
    vocab.json/merges.txt that transformers' tokenizer reads to the same ids."""
    model = make_hf_model(vocab_size=50257)
    src = tmp_path / "hf"
    model.save_pretrained(src, safe_serialization=True)
    ckpt = load_checkpoint(import_gpt2(src, tmp_path / "ours", tokenizer_dir=gpt2_dir))
    reference = BPETokenizer.from_gpt2(gpt2_dir)
    text = "Hello world! It's a test, isn't it?  Olá, tudo bem?\n<|endoftext|>"
    assert ckpt.tokenizer.encode(text) == reference.encode(text)
    assert ckpt.tokenizer.vocab_size == 50257
    out = export_hf(tmp_path / "ours", tmp_path / "back").path
    assert (out / "vocab.json").read_bytes() != b""
    assert len(json.loads((out / "vocab.json").read_text(encoding="utf-8"))) == 50257
    merges = (out / "merges.txt").read_text(encoding="utf-8").split("\n")
    assert (
        merges[0] == "#version: 0.2"
        and merges[1] == "Ġ t"
        and len([m for m in merges[1:] if m]) == 50000
    )
    hf_tok = transformers.AutoTokenizer.from_pretrained(out)
    assert hf_tok(text)["input_ids"] == reference.encode(text)


# --- bad input: a clear UserError, and nothing written --------------------------------------------
def test_not_gpt2_is_refused(hf_dir, tmp_path):
    src, _ = hf_dir
    config = json.loads((src / "config.json").read_text())
    config["model_type"] = "llama"
    (src / "config.json").write_text(json.dumps(config))
    with pytest.raises(UserError, match="not a GPT-2"):
        import_gpt2(src, tmp_path / "ours")
    assert_nothing_left(tmp_path, "ours")


def test_missing_config_is_refused(hf_dir, tmp_path):
    src, _ = hf_dir
    (src / "config.json").unlink()
    with pytest.raises(UserError, match="config.json is missing"):
        import_gpt2(src, tmp_path / "ours")
    assert_nothing_left(tmp_path, "ours")


def test_pickle_only_is_refused(hf_dir, tmp_path):
    src, _ = hf_dir
    (src / "model.safetensors").unlink()
    (src / "pytorch_model.bin").write_bytes(b"not read")
    with pytest.raises(UserError, match="requires model.safetensors"):
        import_gpt2(src, tmp_path / "ours")
    assert_nothing_left(tmp_path, "ours")


def test_missing_tensor_is_refused(hf_dir, tmp_path):
    src, _ = hf_dir
    tensors = load_file(str(src / "model.safetensors"))
    del tensors["transformer.h.1.mlp.c_fc.weight"]
    save_file(tensors, str(src / "model.safetensors"))
    with pytest.raises(UserError, match=r"missing.*h\.1\.mlp\.c_fc\.weight"):
        import_gpt2(src, tmp_path / "ours")
    assert_nothing_left(tmp_path, "ours")


def test_misshaped_tensor_is_refused(hf_dir, tmp_path):
    src, _ = hf_dir
    tensors = load_file(str(src / "model.safetensors"))
    # Stored the nn.Linear way round: a Conv1D weight must be (in, out) = (32, 96)
    tensors["transformer.h.0.attn.c_attn.weight"] = tensors[
        "transformer.h.0.attn.c_attn.weight"
    ].T.contiguous()
    save_file(tensors, str(src / "model.safetensors"))
    with pytest.raises(UserError, match=r"c_attn\.weight.*\(96, 32\), expected \(32, 96\)"):
        import_gpt2(src, tmp_path / "ours")
    assert_nothing_left(tmp_path, "ours")


def test_unknown_tensor_is_refused(hf_dir, tmp_path):
    src, _ = hf_dir
    tensors = load_file(str(src / "model.safetensors"))
    tensors["score.weight"] = torch.zeros(2, 32)  # a classification head: not a plain GPT-2
    save_file(tensors, str(src / "model.safetensors"))
    with pytest.raises(UserError, match="score.weight"):
        import_gpt2(src, tmp_path / "ours")


def test_no_tokenizer_is_refused(hf_dir, tmp_path):
    src, _ = hf_dir
    (src / "vocab.json").unlink()
    with pytest.raises(UserError, match="no tokenizer"):
        import_gpt2(src, tmp_path / "ours")
    assert_nothing_left(tmp_path, "ours")


def test_other_activation_is_refused(hf_dir, tmp_path):
    src, _ = hf_dir
    config = json.loads((src / "config.json").read_text())
    config["activation_function"] = "relu"
    (src / "config.json").write_text(json.dumps(config))
    with pytest.raises(UserError, match="activation"):
        import_gpt2(src, tmp_path / "ours")


def test_existing_output_is_kept_without_overwrite(hf_dir, tmp_path):
    src, _ = hf_dir
    out = tmp_path / "ours"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(UserError, match="already exists"):
        import_gpt2(src, out)
    assert (out / "keep.txt").read_text() == "mine"
    import_gpt2(src, out, overwrite=True)
    assert (out / "config.json").is_file() and not (out / "keep.txt").exists()


# --- export ---------------------------------------------------------------------------------------
def _random_checkpoint(path: Path, tokenizer, **overrides) -> GPT:
    torch.manual_seed(5)
    config = GPTConfig(
        **{**dict(vocab_size=320, context_length=48, n_layer=2, n_head=4, n_embd=32), **overrides}
    )
    model = GPT(config).eval()
    with torch.no_grad():  # biases and norms away from their 0/1 start, so a mix-up would show
        for name, p in model.named_parameters():
            if p.dim() == 1:
                p.add_(torch.randn_like(p) * 0.1)
    save_checkpoint(path, model, tokenizer, {"kind": "lm", "model": config.to_dict()})
    return model


@pytest.mark.parametrize("overrides", [{}, {"tie_weights": False}, {"bias": False}])
def test_export_loads_in_transformers_with_the_same_logits(tmp_path, small_bpe, overrides):
    model = _random_checkpoint(tmp_path / "ckpt", small_bpe, **overrides)
    result = export_hf(tmp_path / "ckpt", tmp_path / "hf")
    assert {"config.json", "model.safetensors", "vocab.json", "merges.txt"} <= set(result.files)
    hf = transformers.GPT2LMHeadModel.from_pretrained(result.path).eval()
    ids = ids_batch(vocab=320)[:, :48]
    with torch.no_grad():
        torch.testing.assert_close(hf(ids).logits, model(ids).logits, atol=1e-5, rtol=0)
    assert hf.config.tie_word_embeddings == overrides.get("tie_weights", True)


def test_export_tokenizer_loads_in_transformers(tmp_path, small_bpe):
    _random_checkpoint(tmp_path / "ckpt", small_bpe)
    out = export_hf(tmp_path / "ckpt", tmp_path / "hf").path
    hf_tok = transformers.AutoTokenizer.from_pretrained(out)
    assert hf_tok(SAMPLE)["input_ids"] == small_bpe.encode(SAMPLE)
    assert hf_tok.eos_token_id == small_bpe.eot_id


def test_export_then_import_round_trip_with_char_tokenizer(tmp_path):
    tokenizer = CharTokenizer().train(TEXT)
    model = _random_checkpoint(tmp_path / "ckpt", tokenizer, vocab_size=tokenizer.vocab_size)
    result = export_hf(tmp_path / "ckpt", tmp_path / "hf")
    assert "llmzero-tokenizer.json" in result.files and not (result.path / "vocab.json").exists()
    assert result.notes and "transformers has no char tokenizer" in result.notes[0]
    back = load_checkpoint(import_gpt2(result.path, tmp_path / "back"))
    assert back.tokenizer.encode("olá mundo") == tokenizer.encode("olá mundo")
    ids = ids_batch(vocab=tokenizer.vocab_size)[:, :48]
    with torch.no_grad():
        torch.testing.assert_close(back.model(ids).logits, model(ids).logits, atol=1e-5, rtol=0)


def test_export_of_a_non_checkpoint_is_refused(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match="not an llmzero checkpoint"):
        export_hf(tmp_path / "empty", tmp_path / "hf")
    assert_nothing_left(tmp_path, "hf")


# --- the commands ---------------------------------------------------------------------------------
def test_cli_import_and_export(hf_dir, tmp_path, capsys):
    src, model = hf_dir
    assert cli.main(["import", "gpt2", str(src), "--out", str(tmp_path / "ours")]) == 0
    assert "llmzero checkpoint saved" in capsys.readouterr().out
    assert cli.main(["export", "hf", str(tmp_path / "ours"), "--out", str(tmp_path / "back")]) == 0
    again = transformers.GPT2LMHeadModel.from_pretrained(tmp_path / "back").eval()
    ids = ids_batch(seed=7)
    with torch.no_grad():
        torch.testing.assert_close(again(ids).logits, model(ids).logits, atol=1e-5, rtol=0)


def test_cli_bad_import_exits_2(tmp_path, capsys):
    (tmp_path / "nothing").mkdir()
    assert (
        cli.main(["import", "gpt2", str(tmp_path / "nothing"), "--out", str(tmp_path / "ours")])
        == 2
    )
    err = capsys.readouterr().err
    assert "config.json is missing" in err and err.count("\n") == 1
    assert not (tmp_path / "ours").exists()
