"""Instruction tuning: templates, data files, prompt masking, batches, training, test answers,
CLI."""

from __future__ import annotations

import json
import random
import re

import pytest
import torch
import torch.nn.functional as F

from llmzero import cli
from llmzero.checkpoint import load_checkpoint, save_checkpoint
from llmzero.errors import UserError
from llmzero.finetune.instruct import (
    Encoded,
    InstructionBatches,
    collate,
    cut_at_stop,
    encode_example,
    encode_examples,
    finetune_instruct,
    read_instructions,
    split_examples,
)
from llmzero.finetune.templates import ALPACA_HEADER, get_template, stop_strings
from llmzero.model import GPT, preset
from llmzero.tokenizers import EOT, CharTokenizer, build_tokenizer
from llmzero.training.trainer import TrainConfig, Trainer

QUIET = dict(progress=False, log=lambda msg: None)
EX = {
    "instruction": "Passe para a voz passiva.",
    "input": "O vento derrubou a árvore.",
    "output": "A árvore foi derrubada pelo vento.",
}
EX_NO_INPUT = {"instruction": "Qual é a capital do Brasil?", "input": "", "output": "Brasília."}


# -- templates -------------------------------------------------------------------------------------


def test_comando_template_formats_exactly():
    tpl = get_template("comando")
    assert tpl.format_prompt(EX) == (
        "### comando:\nPasse para a voz passiva.\n\n"
        "### entrada:\nO vento derrubou a árvore.\n\n### resposta:\n"
    )
    assert (
        tpl.format_prompt(EX_NO_INPUT)
        == "### comando:\nQual é a capital do Brasil?\n\n### resposta:\n"
    )
    assert tpl.format_response(EX) == "A árvore foi derrubada pelo vento.<|endoftext|>"


def test_alpaca_template_formats_exactly():
    tpl = get_template("alpaca")
    assert ALPACA_HEADER.startswith("Below is an instruction")
    assert tpl.format_prompt(EX) == (
        f"{ALPACA_HEADER}\n\n### Instruction:\nPasse para a voz passiva.\n\n"
        "### Input:\nO vento derrubou a árvore.\n\n### Response:\n"
    )
    assert tpl.format_prompt(EX_NO_INPUT) == (
        f"{ALPACA_HEADER}\n\n### Instruction:\nQual é a capital do Brasil?\n\n### Response:\n"
    )
    assert tpl.format_response(EX_NO_INPUT) == "Brasília.<|endoftext|>"


def test_chat_template_formats_exactly():
    tpl = get_template("chat")
    assert (
        tpl.format_prompt(EX_NO_INPUT)
        == "<|user|>\nQual é a capital do Brasil?<|endoftext|>\n<|assistant|>\n"
    )
    assert tpl.format_prompt(dict(EX, system="Seja breve.")) == (
        "<|system|>\nSeja breve.<|endoftext|>\n<|user|>\nPasse para a voz passiva.\n\nO vento "
        "derrubou a árvore."
        "<|endoftext|>\n<|assistant|>\n"
    )
    assert tpl.format_chat("S", [("oi", "olá"), ("tudo bem?", "sim")], "tchau") == (
        "<|system|>\nS<|endoftext|>\n<|user|>\noi<|endoftext|>\n<|assistant|>\nolá<|endoftext|>\n"
        "<|user|>\ntudo bem?<|endoftext|>\n<|assistant|>\nsim<|endoftext|>\n"
        "<|user|>\ntchau<|endoftext|>\n<|assistant|>\n"
    )
    # A single exchange in the chat layout is exactly prompt + response of the training example.
    assert tpl.format_chat(None, [], EX_NO_INPUT["instruction"]) + tpl.format_response(
        EX_NO_INPUT
    ) == (tpl.format_prompt(EX_NO_INPUT) + "Brasília.<|endoftext|>")


def test_section_template_as_chat_and_without_eot():
    tpl = get_template("comando")
    assert tpl.format_chat(None, [("a", "b")], "c") == (
        "### comando:\na\n\n### resposta:\nb<|endoftext|>\n\n### comando:\nc\n\n### resposta:\n"
    )
    assert (
        get_template("alpaca")
        .format_chat(None, [], "c")
        .startswith(ALPACA_HEADER + "\n\n### Instruction:\nc")
    )
    no_eot = CharTokenizer(special_tokens=[]).train("abc")
    assert no_eot.eot_id is None
    assert get_template("comando", no_eot).format_response({"output": "x"}) == "x\n"
    with pytest.raises(UserError, match="unknown prompt template"):
        get_template("nope")


def test_stop_strings_round_trip_through_the_tokenizer():
    tok = build_tokenizer("char", "abc user assistant system #")  # never saw <, | or >
    stops = stop_strings(get_template("chat"), tok)
    assert "<unk><unk>user<unk><unk>" in stops
    assert stop_strings(get_template("comando"), tok) == ["###"]
    assert cut_at_stop(" olá\n### comando:\nmais", ["###"]) == "olá"


# -- data files ------------------------------------------------------------------------------------


def test_reads_json_list_and_jsonl(tmp_path):
    j = tmp_path / "a.json"
    j.write_text(
        json.dumps([EX, {"instruction": "x", "output": "y"}], ensure_ascii=False), encoding="utf-8"
    )
    rows = read_instructions(j)
    assert [r.to_dict() for r in rows] == [EX, {"instruction": "x", "input": "", "output": "y"}]
    assert rows[1].where.endswith("a.json: record 2")
    jl = tmp_path / "a.jsonl"
    jl.write_text(json.dumps(EX) + "\n\n" + json.dumps(EX_NO_INPUT) + "\n", encoding="utf-8")
    rows = read_instructions(jl)
    assert [r.output for r in rows] == [EX["output"], "Brasília."] and rows[1].where.endswith(
        "a.jsonl:3"
    )


@pytest.mark.parametrize(
    "lines, where, what",
    [
        ([json.dumps(EX), "{not json", json.dumps(EX)], ":2", "expected a JSON object"),
        (
            [json.dumps(EX), json.dumps(EX), json.dumps({"instruction": "x"})],
            ":3",
            '"output" field',
        ),
        ([json.dumps({"instruction": "", "output": "y"})], ":1", '"instruction" field'),
        ([json.dumps(["a", "b"])], ":1", "expected a JSON object"),
        (
            [json.dumps({"instruction": "a", "output": "b", "input": 3})],
            ":1",
            '"input" must be a text',
        ),
    ],
)
def test_malformed_jsonl_names_file_and_line(tmp_path, lines, where, what):
    f = tmp_path / "bad.jsonl"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(UserError) as err:
        read_instructions(f)
    assert f"{f}{where}:" in str(err.value) and what in str(err.value)


def test_malformed_json_list_names_the_record(tmp_path):
    f = tmp_path / "bad.json"
    f.write_text(json.dumps([EX, "just text", EX]), encoding="utf-8")
    with pytest.raises(UserError, match=r"bad\.json: record 2: expected a JSON object"):
        read_instructions(f)
    f.write_text('[\n{"instruction": "a",\n "output": }\n]', encoding="utf-8")
    with pytest.raises(UserError, match=r"bad\.json:3: invalid JSON"):
        read_instructions(f)


def test_empty_and_missing_files(tmp_path):
    for name, content in (("e.jsonl", ""), ("e.json", "[]"), ("e.jsonl", "\n\n")):
        f = tmp_path / name
        f.write_text(content, encoding="utf-8")
        with pytest.raises(UserError, match="holds no examples"):
            read_instructions(f)
    with pytest.raises(UserError, match="file not found"):
        read_instructions(tmp_path / "nope.json")


def test_split_is_seeded_and_complete():
    items = list(range(100))
    train, val, test = split_examples(items, seed=3)
    assert (len(train), len(val), len(test)) == (85, 5, 10)
    assert sorted(train + val + test) == items
    assert split_examples(items, seed=3) == (train, val, test)
    assert split_examples(items, seed=4)[2] != test
    assert [len(p) for p in split_examples(items, 0, (0.8, 0.2, 0.0))] == [80, 20, 0]
    with pytest.raises(UserError):
        split_examples([1], seed=0, fractions=(0.0, 0.0, 1.0))
    with pytest.raises(UserError):
        split_examples(items, seed=0, fractions=(0.5, 0.5, 0.5))


def test_too_long_example_error_truncate_and_skip():
    tok = build_tokenizer("char", "abcdefghij #:\n")
    tpl = get_template("comando", tok)
    short = {"instruction": "ab", "output": "c", "where": "f.jsonl:1"}
    long = {"instruction": "ab", "output": "abcdefghij" * 3}
    huge = {"instruction": "a" * 80, "output": "b"}
    n_short = len(encode_example(tok, tpl, short).ids)
    ctx = n_short + 5
    with pytest.raises(UserError) as err:
        encode_examples(tok, tpl, [short, long], ctx)
    n_long, prompt = (
        len(encode_example(tok, tpl, long).ids),
        encode_example(tok, tpl, long).prompt_len,
    )
    assert f"have {n_long} tokens (prompt {prompt}, response {n_long - prompt})" in str(err.value)
    assert f"context ({ctx})" in str(err.value) and "1 of 2 examples" in str(err.value)
    kept, n = encode_examples(tok, tpl, [short, long, huge], ctx, "truncate")
    # huge: its prompt alone fills the context
    assert n == 2 and [len(e.ids) for e in kept] == [n_short, ctx]
    assert kept[1].ids == encode_example(tok, tpl, long).ids[:ctx]
    kept, n = encode_examples(tok, tpl, [short, long, huge], ctx, "skip")
    assert n == 2 and len(kept) == 1


# -- masking and batches ---------------------------------------------------------------------------


def test_collate_shifts_masks_the_prompt_and_pads():
    a = Encoded([1, 2, 3, 4, 5, 9], prompt_len=3, where="")  # 9 plays the end-of-text token
    b = Encoded([6, 7, 9], prompt_len=2, where="")
    x, y = collate([a, b], pad=9, mask_prompt=True)
    assert x.tolist() == [[1, 2, 3, 4, 5], [6, 7, 9, 9, 9]]
    assert y.tolist() == [[-100, -100, 4, 5, 9], [-100, 9, -100, -100, -100]]
    x, y = collate([a, b], pad=9, mask_prompt=False)
    assert y.tolist() == [[2, 3, 4, 5, 9], [7, 9, -100, -100, -100]]
    # The end-of-text of each response is learned exactly once, though padding uses the same id.
    assert [(row == 9).sum().item() for row in y] == [1, 1]


def make_data(n: int = 60, seed: int = 0) -> list[dict]:
    """A small, learnable task: repeat or reverse a short word."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        word = "".join(rng.choice("abcdef") for _ in range(rng.randint(3, 5)))
        if i % 2:
            rows.append({"instruction": "Repita.", "input": word, "output": word})
        else:
            rows.append({"instruction": "Inverta.", "input": word, "output": word[::-1]})
    return rows


def char_tokenizer_for(rows, template="comando"):
    tpl = get_template(template)
    return build_tokenizer(
        "char", "".join(tpl.format_prompt(r) + tpl.format_response(r) for r in rows)
    )


@pytest.fixture(scope="module")
def nano():
    rows = make_data(12)
    tok = char_tokenizer_for(rows)
    torch.manual_seed(0)
    model = GPT(preset("nano", vocab_size=tok.vocab_size)).eval()
    encoded = [encode_example(tok, get_template("comando", tok), r) for r in rows[:6]]
    return model, tok, encoded


def hand_loss(model, encoded, mask_prompt: bool) -> torch.Tensor:
    """Mean cross-entropy over the learned positions, one example at a time (no padding at all)."""
    losses = []
    for e in encoded:
        ids = torch.tensor(e.ids)
        logits = model(ids[None, :-1]).logits[0]
        first = e.prompt_len - 1 if mask_prompt else 0
        losses.append(F.cross_entropy(logits[first:], ids[first + 1 :], reduction="none"))
    return torch.cat(losses).mean()


@pytest.mark.parametrize("mask_prompt", [True, False])
def test_trainer_loss_is_cross_entropy_over_exactly_the_learned_positions(
    nano, tmp_path, mask_prompt
):
    model, tok, encoded = nano
    batches = InstructionBatches(
        encoded, batch_size=len(encoded), pad=tok.eot_id, mask_prompt=mask_prompt, shuffle=False
    )
    trainer = Trainer(
        model,
        batches,
        batches,
        TrainConfig(max_steps=1, device="cpu", progress=False),
        tmp_path,
        log=lambda m: None,
    )
    with torch.no_grad():
        expected = hand_loss(model, encoded, mask_prompt)
    assert trainer.evaluate()["val_loss"] == pytest.approx(float(expected), rel=1e-5)
    with torch.no_grad():
        other = hand_loss(model, encoded, not mask_prompt)
    # the two modes really grade different positions
    assert abs(float(other) - float(expected)) > 1e-3


def test_prompt_and_padding_logits_do_not_change_the_masked_loss(nano):
    model, tok, encoded = nano
    batches = InstructionBatches(
        encoded, len(encoded), pad=tok.eot_id, mask_prompt=True, shuffle=False
    )
    x, y = next(batches.iterate())
    unmasked = InstructionBatches(
        encoded, len(encoded), tok.eot_id, mask_prompt=False, shuffle=False
    )
    x_all, y_all = next(unmasked.iterate())
    noise = torch.zeros(*x.shape, tok.vocab_size)
    g = torch.Generator().manual_seed(0)
    for row, e in enumerate(encoded):
        noise[row, : e.prompt_len - 1] = (
            torch.randn(e.prompt_len - 1, tok.vocab_size, generator=g) * 50
        )
        noise[row, len(e.ids) - 1 :] = (
            torch.randn(x.shape[1] - len(e.ids) + 1, tok.vocab_size, generator=g) * 50
        )
    hook = model.lm_head.register_forward_hook(lambda mod, inp, out: out + noise)
    try:
        with torch.no_grad():
            masked_noisy, all_noisy = model(x, y).loss, model(x_all, y_all).loss
    finally:
        hook.remove()
    with torch.no_grad():
        masked, all_tokens = model(x, y).loss, model(x_all, y_all).loss
    assert float(masked_noisy) == pytest.approx(float(masked), rel=1e-6)
    assert abs(float(all_noisy) - float(all_tokens)) > 0.1  # unmasked, the prompt positions count


def test_batches_are_seeded_per_epoch_and_evaluation_sees_everything():
    encoded = [Encoded([i, i + 1, i + 2], 1, "") for i in range(10)]
    a, b = InstructionBatches(encoded, 3, seed=5), InstructionBatches(encoded, 3, seed=5)
    assert all(torch.equal(a.batch(i)[0], b.batch(i)[0]) for i in range(7))
    epoch0 = [a.batch(i)[0][:, 0].tolist() for i in range(3)]
    epoch1 = [a.batch(i)[0][:, 0].tolist() for i in range(3, 6)]
    assert epoch0 != epoch1 and len(set(sum(epoch0, []))) == 9
    firsts = sorted(
        v
        for x, _ in InstructionBatches(encoded, 3, shuffle=False).iterate()
        for v in x[:, 0].tolist()
    )
    assert firsts == list(range(10))
    with pytest.raises(UserError):
        InstructionBatches([], 2)


# -- fine-tuning -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    d = tmp_path_factory.mktemp("instruct")
    rows = make_data(60)
    (d / "task.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    tok = char_tokenizer_for(rows, "comando")
    torch.manual_seed(0)
    model = GPT(preset("nano", vocab_size=tok.vocab_size))
    save_checkpoint(d / "base", model, tok, {"kind": "lm", "model": model.config.to_dict()})
    return d


def val_loss_of(model_dir, data_file, seed: int = 1337) -> float:
    ckpt = load_checkpoint(model_dir)
    tpl = get_template("comando", ckpt.tokenizer)
    _, val, _ = split_examples(read_instructions(data_file), seed)
    enc, _ = encode_examples(ckpt.tokenizer, tpl, val, ckpt.config.context_length)
    batches = InstructionBatches(enc, 8, ckpt.tokenizer.eot_id, shuffle=False)
    with torch.no_grad():
        losses = [float(ckpt.model.eval()(x, y).loss) for x, y in batches.iterate()]
    return sum(losses) / len(losses)


@pytest.fixture(scope="module")
def tuned(setup):
    summary = finetune_instruct(
        setup / "base",
        setup / "task.jsonl",
        setup / "tuned",
        max_steps=60,
        eval_every=30,
        lr=3e-3,
        batch_size=8,
        test_limit=4,
        max_new_tokens=8,
        **QUIET,
    )
    return setup / "tuned", summary


def test_finetuning_lowers_the_validation_loss(setup, tuned):
    out, summary = tuned
    before = val_loss_of(setup / "base", setup / "task.jsonl")
    after = val_loss_of(out, setup / "task.jsonl")
    assert after == pytest.approx(summary["val_loss"], rel=1e-4)
    assert after < 0.75 * before, (before, after)
    assert (summary["train_examples"], summary["val_examples"], summary["test_examples"]) == (
        51,
        3,
        6,
    )


def test_tuned_checkpoint_and_test_responses(setup, tuned):
    out, summary = tuned
    ckpt = load_checkpoint(out)
    assert (
        ckpt.kind == "lm"
        and ckpt.meta["stage"] == "instruct"
        and ckpt.meta["template"] == "comando"
    )
    assert ckpt.meta["mask_prompt"] is True
    rows = [
        json.loads(line)
        for line in (out / "test_responses.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    _, _, test = split_examples(read_instructions(setup / "task.jsonl"), 1337)
    assert len(rows) == 4 and [r["reference"] for r in rows] == [e.output for e in test[:4]]
    assert all(set(r) == {"instruction", "input", "reference", "response"} for r in rows)
    assert all("###" not in r["response"] and EOT not in r["response"] for r in rows)
    assert summary["samples"] == rows[:3]


def test_existing_output_and_base_folder_are_protected(setup, tuned):
    with pytest.raises(UserError, match="already holds a checkpoint"):
        finetune_instruct(setup / "base", setup / "task.jsonl", tuned[0], max_steps=1, **QUIET)
    with pytest.raises(UserError, match="base model's folder"):
        finetune_instruct(
            setup / "base", setup / "task.jsonl", setup / "base", max_steps=1, **QUIET
        )


def test_too_long_data_is_refused_before_training(setup, tmp_path):
    f = tmp_path / "long.jsonl"
    f.write_text(
        "".join(
            json.dumps({"instruction": "Repita.", "input": "a" * n, "output": "a"}) + "\n"
            for n in (3, 4, 200, 5)
        ),
        encoding="utf-8",
    )
    with pytest.raises(UserError, match=r"long\.jsonl:3: prompt \+ response have \d+ tokens"):
        finetune_instruct(
            setup / "base", f, tmp_path / "out", split=(1.0, 0.0, 0.0), max_steps=1, **QUIET
        )
    assert not (tmp_path / "out").exists()


def test_lora_instruction_tuning_saves_merged_weights(setup):
    out = setup / "lora"
    summary = finetune_instruct(
        setup / "base",
        setup / "task.jsonl",
        out,
        template="chat",
        lora={"rank": 2},
        max_steps=6,
        eval_every=6,
        test_limit=1,
        max_new_tokens=4,
        **QUIET,
    )
    ckpt = load_checkpoint(out)
    assert (
        isinstance(ckpt.model, GPT)
        and ckpt.meta["lora"]["merged"] is True
        and ckpt.meta["template"] == "chat"
    )
    assert (out / "adapter" / "adapter.safetensors").is_file()
    assert summary["trainable_parameters"] < summary["total_parameters"] / 5
    base = load_checkpoint(setup / "base").model
    assert not torch.equal(ckpt.model.blocks[0].attn.qkv.weight, base.blocks[0].attn.qkv.weight)
    assert torch.equal(ckpt.model.tok_emb.weight, base.tok_emb.weight)  # frozen under LoRA


def test_english_alpaca_file_trains(shared_data, tmp_path):
    data = shared_data / "instruction-data.json"
    if not data.is_file():
        pytest.skip(f"{data} not found (reference data lives in ../shared/data)")
    rows = read_instructions(data)
    assert len(rows) == 1100
    tpl = get_template("alpaca")
    tok = build_tokenizer("char", data.read_text(encoding="utf-8") + tpl.format_prompt(EX))
    torch.manual_seed(0)
    model = GPT(preset("nano", vocab_size=tok.vocab_size, context_length=512))
    save_checkpoint(tmp_path / "base", model, tok, {"kind": "lm", "model": model.config.to_dict()})
    summary = finetune_instruct(
        tmp_path / "base",
        data,
        tmp_path / "out",
        template="alpaca",
        max_steps=8,
        eval_every=4,
        eval_batches=2,
        batch_size=4,
        lr=3e-3,
        warmup_steps=0,
        test_limit=2,
        max_new_tokens=4,
        **QUIET,
    )
    assert (summary["train_examples"], summary["val_examples"], summary["test_examples"]) == (
        935,
        55,
        110,
    )
    first, last = summary_val_losses(tmp_path / "out")
    assert last < first, (first, last)
    assert (
        len((tmp_path / "out" / "test_responses.jsonl").read_text(encoding="utf-8").splitlines())
        == 2
    )


def summary_val_losses(out) -> tuple[float, float]:
    rows = [
        json.loads(line)
        for line in (out / "metrics.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    vals = [r["val_loss"] for r in rows if "val_loss" in r]
    return vals[0], vals[-1]


# -- CLI -------------------------------------------------------------------------------------------


@pytest.fixture
def run_cli(monkeypatch, capsys):
    def run(*argv):
        code = cli.main(list(argv))
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def test_cli_finetune_instruct(run_cli, setup, tmp_path):
    code, out, err = run_cli(
        "finetune",
        "instruct",
        "--base",
        str(setup / "base"),
        "--data",
        str(setup / "task.jsonl"),
        "--out",
        str(tmp_path / "cli"),
        "--max-steps",
        "2",
        "--eval-every",
        "2",
        "--test-limit",
        "1",
        "--no-mask-prompt",
        "--json",
    )
    assert code == 0, err
    summary = json.loads(out)
    assert (
        summary["steps"] == 2 and summary["mask_prompt"] is False and summary["test_answered"] == 1
    )
    assert load_checkpoint(tmp_path / "cli").meta["mask_prompt"] is False
    code, out, err = run_cli(
        "finetune",
        "instruct",
        "--base",
        str(setup / "base"),
        "--data",
        str(setup / "task.jsonl"),
        "--out",
        str(tmp_path / "cli"),
        "--max-steps",
        "2",
    )
    assert code == 2 and "already holds a checkpoint" in err
    code, out, err = run_cli(
        "finetune",
        "instruct",
        "--base",
        str(setup / "base"),
        "--out",
        str(tmp_path / "x"),
        "--truncate",
        "--skip-long",
    )
    assert code == 2


def test_cli_instruct_skips_shipped_examples_longer_than_the_context(run_cli, tmp_path):
    # the default model's context is shorter than some shipped answers: with the shipped data the
    # long ones are skipped (and counted), so the command runs on any base
    from llmzero.datasets import dataset_path

    text = dataset_path("instrucoes_ptbr.json").read_text(encoding="utf-8")
    tok = build_tokenizer("char", text + ALPACA_HEADER)
    torch.manual_seed(0)
    model = GPT(preset("nano", vocab_size=tok.vocab_size, context_length=64))
    save_checkpoint(tmp_path / "base", model, tok, {"kind": "lm", "model": model.config.to_dict()})
    argv = ["finetune", "instruct", "--base", str(tmp_path / "base"), "--max-steps", "1"]
    code, out, err = run_cli(*argv, "--out", str(tmp_path / "out"), "--test-limit", "1")
    assert code == 0, err
    skipped = re.search(r"(\d+) (?:longos demais|too long): skip", out + err)
    assert skipped and int(skipped.group(1)) > 0
    data = tmp_path / "mine.json"
    data.write_text(text, encoding="utf-8")
    code, out, err = run_cli(*argv, "--out", str(tmp_path / "o2"), "--data", str(data))
    assert code == 2 and "--skip-long" in err  # the user's own data: nothing dropped unasked
