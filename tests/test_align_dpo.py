"""Preference pairs and DPO: reading, batching, log-probs, the loss, and a tiny end-to-end run."""

from __future__ import annotations

import json
import math

import pytest
import torch
import torch.nn.functional as F

from helpers import pair_tokenizer, polite_pairs, write_jsonl
from llmzero.align.dpo import align_dpo, dpo_loss, preference_metrics, reference_logprobs
from llmzero.align.preferences import (
    EncodedPair,
    PairBatches,
    Preference,
    collate_pairs,
    encode_pair,
    encode_pairs,
    read_preferences,
    response_logprobs,
    split_preferences,
)
from llmzero.checkpoint import load_checkpoint, save_checkpoint
from llmzero.datasets import DATASETS_DIR
from llmzero.errors import UserError
from llmzero.finetune.templates import get_template
from llmzero.model import GPT, preset
from llmzero.model.classifier import GPTClassifier

QUIET = dict(progress=False, log=lambda msg: None)


# -- the loss --------------------------------------------------------------------------------------


def test_dpo_loss_matches_a_hand_computation():
    pc, pr, rc, rr, beta = -4.0, -6.0, -5.0, -5.5, 0.5
    chosen, rejected = beta * (pc - rc), beta * (pr - rr)  # 0.5 and -0.25
    want = -math.log(1.0 / (1.0 + math.exp(-(chosen - rejected))))
    loss, c, r = dpo_loss(*(torch.tensor([v]) for v in (pc, pr, rc, rr)), beta)
    assert float(loss) == pytest.approx(want, abs=1e-6)
    assert float(c[0]) == pytest.approx(0.5) and float(r[0]) == pytest.approx(-0.25)
    # a batch is the mean over its pairs
    loss2, _, _ = dpo_loss(
        torch.tensor([pc, -1.0]),
        torch.tensor([pr, -1.0]),
        torch.tensor([rc, -1.0]),
        torch.tensor([rr, -1.0]),
        beta,
    )
    assert float(loss2) == pytest.approx((want + math.log(2.0)) / 2, abs=1e-6)


def test_identical_policy_and_reference_give_log_2():
    logps = torch.tensor([-3.0, -10.0, -7.5])
    other = torch.tensor([-2.0, -12.0, -1.0])
    loss, c, r = dpo_loss(logps, other, logps, other, beta=0.3)
    assert float(loss) == pytest.approx(math.log(2.0), abs=1e-7)
    assert torch.equal(c, torch.zeros(3)) and torch.equal(r, torch.zeros(3))
    # beta -> 0: whatever the log-probs, every reward goes to 0 and the loss to log 2
    loss_small, _, _ = dpo_loss(logps + 5, other - 5, logps, other, beta=1e-6)
    loss_big, _, _ = dpo_loss(logps + 5, other - 5, logps, other, beta=1.0)
    assert float(loss_small) == pytest.approx(math.log(2.0), abs=1e-5)
    assert float(loss_big) < math.log(2.0) - 0.5


def test_loss_falls_when_the_chosen_log_prob_rises():
    pc = torch.tensor([-5.0], requires_grad=True)
    pr = torch.tensor([-5.0], requires_grad=True)
    ref = torch.tensor([-5.0])
    loss, _, _ = dpo_loss(pc, pr, ref, ref, beta=0.1)
    loss.backward()
    assert float(pc.grad) < 0 < float(pr.grad)  # gradient descent raises chosen, lowers rejected
    higher, _, _ = dpo_loss(pc.detach() + 1.0, pr.detach(), ref, ref, beta=0.1)
    assert float(higher) < float(loss.detach())


# -- reading ---------------------------------------------------------------------------------------


def test_reads_every_shape_from_json_and_jsonl(tmp_path):
    rows = [
        {"prompt": "Diga oi.", "chosen": "Oi!", "rejected": "Não."},
        {"instruction": "Traduza.", "input": "cat", "chosen": "gato", "rejected": "cão"},
        {
            "instruction": "Resuma.",
            "input": "Um texto.",
            "output": "ignored",
            "chosen": " Curto. ",
            "rejected": "Longo.",
            "kind": "concisão",
            "split": "val",
        },
    ]
    for path in (tmp_path / "p.json", tmp_path / "p.jsonl"):
        if path.suffix == ".json":
            path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
        else:
            write_jsonl(path, rows)
        prefs = read_preferences(path)
        assert [p.instruction for p in prefs] == ["Diga oi.", "Traduza.", "Resuma."]
        assert [p.input for p in prefs] == ["", "cat", "Um texto."]
        assert prefs[2].chosen == "Curto." and prefs[2].rejected == "Longo."
        assert prefs[2].kind == "concisão" and prefs[2].split == "validation"
        assert prefs[0].kind is None and prefs[0].split is None
        assert prefs[1].prompt_example() == {"instruction": "Traduza.", "input": "cat"}
    assert prefs[1].where == f"{tmp_path / 'p.jsonl'}:2"


@pytest.mark.parametrize(
    "line, message",
    [
        ('{"prompt": "a", "chosen": "b"}', 'the "rejected" field is missing or empty'),
        ('{"instruction": "a", "chosen": "", "rejected": "c"}', '"chosen" field is missing'),
        ('{"chosen": "b", "rejected": "c"}', 'the "instruction" field is missing'),
        ('{"instruction": "a", "chosen": 3, "rejected": "c"}', '"chosen" field must be a text'),
        ('{"instruction": "a", "chosen": "b", "rejected": "c", "input": 5}', '"input" must be'),
        ('{"instruction": "a", "chosen": " b", "rejected": "b "}', "are the same"),
        ('{"instruction": "a", "chosen": "b", "rejected": "c", "split": "x"}', '"split" must'),
        ('["a", "b"]', "expected a JSON object"),
        ('{"instruction": "a", "chosen": "b"', "expected a JSON object"),
    ],
)
def test_bad_records_name_their_line(tmp_path, line, message):
    good = '{"instruction": "ok", "chosen": "sim", "rejected": "não"}'
    path = tmp_path / "p.jsonl"
    path.write_text(f"{good}\n\n{line}\n", encoding="utf-8")
    with pytest.raises(UserError) as err:
        read_preferences(path)
    assert str(err.value.en).startswith(f"{path}:3: ")
    assert message in err.value.en


def test_json_list_errors_name_the_record_and_empty_files_fail(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(
        json.dumps([{"instruction": "a", "chosen": "b", "rejected": "c"}, 7]), encoding="utf-8"
    )
    with pytest.raises(UserError, match="record 2: expected a JSON object"):
        read_preferences(path)
    for text in ("", "[]", "\n\n"):
        path.write_text(text, encoding="utf-8")
        with pytest.raises(UserError, match="holds no preference pairs"):
            read_preferences(path)


def test_split_uses_the_file_column_only_when_every_record_has_one():
    def pref(i, split=None):
        return Preference(f"q{i}", "", "a", "b", f"r{i}", split=split)

    marked = [pref(0, "train"), pref(1, "test"), pref(2, "validation"), pref(3, "train")]
    train, val, test = split_preferences(marked, seed=1)
    assert [p.where for p in train] == ["r0", "r3"]
    assert [p.where for p in val] == ["r2"] and [p.where for p in test] == ["r1"]
    mixed = [pref(i, "test" if i == 0 else None) for i in range(20)]
    a = split_preferences(mixed, seed=1)
    assert [len(part) for part in a] == [16, 2, 2]
    assert a == split_preferences(mixed, seed=1) and a != split_preferences(mixed, seed=2)
    with pytest.raises(UserError, match="nothing to train on"):
        split_preferences([pref(0, "test")], seed=1)


def test_shipped_preferences_read_cleanly():
    path = DATASETS_DIR / "preferencias_ptbr.json"
    if not path.is_file():
        pytest.skip("the shipped preference pairs are not there yet")
    prefs = read_preferences(path)
    assert len(prefs) >= 50
    train, val, test = split_preferences(prefs, seed=1337)
    assert train and val


# -- tokens and batches ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def nano():
    rows = polite_pairs(12)
    tok = pair_tokenizer(rows, extra="xyz")
    torch.manual_seed(0)
    model = GPT(preset("nano", vocab_size=tok.vocab_size)).eval()
    tpl = get_template("comando", tok)
    prefs = [
        Preference(r["instruction"], "", r["chosen"], r["rejected"], f"r{i}")
        for i, r in enumerate(rows)
    ]
    return model, tok, tpl, prefs


def test_pairs_keep_the_exact_boundary(nano):
    _, tok, tpl, prefs = nano
    e = encode_pair(tok, tpl, prefs[0])
    assert e.prompt_ids == tok.encode(tpl.format_prompt(prefs[0].prompt_example()))
    assert tok.decode(e.chosen_ids) == prefs[0].chosen + "<|endoftext|>"
    assert tok.decode(e.rejected_ids) == prefs[0].rejected + "<|endoftext|>"
    assert e.longest == len(e.prompt_ids) + max(len(e.chosen_ids), len(e.rejected_ids))


def test_too_long_pairs_error_truncate_or_skip(nano):
    _, tok, tpl, prefs = nano
    long = Preference("Diga sol.", "", "sol " * 20, "mar " * 20, "file.jsonl:7")
    sizes = encode_pair(tok, tpl, long)
    ctx = encode_pair(tok, tpl, prefs[0]).longest
    assert sizes.longest > ctx > len(sizes.prompt_ids) + 1
    with pytest.raises(UserError) as err:
        encode_pairs(tok, tpl, [prefs[0], long], ctx)
    assert err.value.en.startswith("file.jsonl:7: ") and "--truncate" in err.value.en
    assert "--skip-long" in err.value.pt
    kept, n = encode_pairs(tok, tpl, [prefs[0], long], ctx, "skip")
    assert n == 1 and [e.where for e in kept] == ["r0"]
    kept, n = encode_pairs(tok, tpl, [prefs[0], long], ctx, "truncate")
    assert n == 1 and len(kept) == 2 and kept[1].longest == ctx
    assert kept[1].chosen_ids == sizes.chosen_ids[: ctx - len(sizes.prompt_ids)]
    # a prompt that fills the context alone is skipped even when truncating
    kept, _ = encode_pairs(tok, tpl, [long], len(sizes.prompt_ids), "truncate")
    assert kept == []
    with pytest.raises(UserError, match="too_long must be"):
        encode_pairs(tok, tpl, prefs, ctx, "cut")


def test_collate_masks_the_prompt_and_the_padding():
    pairs = [EncodedPair([1, 2, 3], [4, 5], [6, 7, 8, 9], "a"), EncodedPair([1], [2], [3, 4], "b")]
    inputs, targets, index, lengths = collate_pairs(pairs, [10, 11], pad=0)
    assert inputs.shape == targets.shape == (4, 7)
    assert inputs[0].tolist() == [1, 2, 3, 4, 5, 0, 0]
    assert targets[0].tolist() == [-100, -100, 4, 5, -100, -100, -100]
    assert inputs[1].tolist() == [1, 2, 3, 6, 7, 8, 9]
    assert targets[1].tolist() == [-100, -100, 6, 7, 8, 9, -100]
    assert targets[2].tolist() == [2] + [-100] * 6
    assert targets[3].tolist() == [3, 4] + [-100] * 5
    assert index.tolist() == [10, 10, 11, 11] and lengths.tolist() == [5, 7, 2, 3]


def test_pair_batches_are_deterministic_and_cover_every_pair(nano):
    _, tok, tpl, prefs = nano
    pairs, _ = encode_pairs(tok, tpl, prefs, 64)
    a = PairBatches(pairs, 4, tok.eot_id, seed=3)
    b = PairBatches(pairs, 4, tok.eot_id, seed=3)
    for i in (0, 5, 2, 7):  # any order, as a resumed run asks
        assert all(torch.equal(x, y) for x, y in zip(a.batch(i), b.batch(i)))
    seen = sorted(int(i) for k in range(3) for i in a.batch(k)[2][0::2])
    assert seen == list(range(12))  # one epoch is every pair once
    assert not torch.equal(a.batch(0)[2], PairBatches(pairs, 4, seed=4).batch(0)[2])
    v = PairBatches(pairs, 5, tok.eot_id, shuffle=False, first_index=100)
    got = [int(i) for batch in v.iterate() for i in batch[2][0::2]]
    assert got == list(range(100, 112))
    assert a.tokens_per_batch > 0


def test_response_logprobs_is_a_sum_over_response_tokens(nano):
    model, tok, tpl, prefs = nano
    pairs, _ = encode_pairs(tok, tpl, prefs[:3], 64)
    inputs, targets, _, _ = collate_pairs(pairs, pad=tok.eot_id)
    with torch.no_grad():
        got = response_logprobs(model, inputs, targets)
        for row, (e, resp) in enumerate(
            (e, r) for e in pairs for r in (e.chosen_ids, e.rejected_ids)
        ):
            ids = e.prompt_ids + resp
            logp = F.log_softmax(model(torch.tensor([ids])).logits[0], dim=-1)
            want = sum(float(logp[j - 1, ids[j]]) for j in range(len(e.prompt_ids), len(ids)))
            assert float(got[row]) == pytest.approx(want, abs=1e-4)
        # what the padding holds changes nothing; a -100 target is what leaves a position out
        other_pad, _, _, _ = collate_pairs(pairs, pad=1)
        assert torch.allclose(got, response_logprobs(model, other_pad, targets), atol=1e-5)
        changed = targets.clone()
        changed[:, 0] = 5  # grading one prompt position would change the sum
        assert not torch.allclose(got, response_logprobs(model, inputs, changed))


def test_reference_table_matches_the_model(nano):
    model, tok, tpl, prefs = nano
    pairs, _ = encode_pairs(tok, tpl, prefs, 64)
    table = reference_logprobs(model, pairs, tok.eot_id, batch_size=5)
    inputs, targets, _, _ = collate_pairs(pairs[4:6], pad=tok.eot_id)
    with torch.no_grad():
        want = response_logprobs(model, inputs, targets)
    assert torch.allclose(table[4:6].flatten(), want, atol=1e-5)
    m = preference_metrics(model, PairBatches(pairs, 4, tok.eot_id, shuffle=False), table, 0.1)
    assert m["dpo_loss"] == pytest.approx(math.log(2.0), abs=1e-5)
    assert m["accuracy"] == 0.0 and abs(m["margin"]) < 1e-5
    assert m["logp_accuracy"] == float((table[:, 0] > table[:, 1]).float().mean())


# -- end to end ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    d = tmp_path_factory.mktemp("dpo")
    rows = polite_pairs(80)
    write_jsonl(d / "pairs.jsonl", rows)
    tok = pair_tokenizer(rows, extra="xyz")
    torch.manual_seed(0)
    model = GPT(preset("nano", vocab_size=tok.vocab_size))
    meta = {"kind": "lm", "model": model.config.to_dict(), "stage": "instruct"}
    save_checkpoint(d / "sft", model, tok, dict(meta, template="comando"))
    save_checkpoint(d / "pre", model, tok, {"kind": "lm", "model": model.config.to_dict()})
    return d


@pytest.fixture(scope="module")
def aligned(setup):
    messages = []
    summary = align_dpo(
        setup / "sft",
        setup / "pairs.jsonl",
        setup / "dpo",
        beta=0.1,
        max_steps=40,
        eval_every=20,
        lr=1e-3,
        progress=False,
        log=messages.append,
    )
    return setup / "dpo", summary, messages


def test_dpo_learns_the_preference(aligned):
    out, s, messages = aligned
    assert s["steps"] == 40 and s["train_pairs"] == 64 and s["val_pairs"] == 8
    assert s["before"]["margin"] == 0.0 and s["before"]["accuracy"] == 0.0
    assert s["after"]["accuracy"] >= 0.9
    assert s["after"]["logp_accuracy"] > s["before"]["logp_accuracy"]
    assert s["after"]["margin"] > 1.0
    assert s["after"]["chosen_reward"] > s["after"]["rejected_reward"]
    assert s["after"]["dpo_loss"] < math.log(2.0) - 0.3
    assert s["test"]["accuracy"] >= 0.9
    assert not any("Warning" in m or "Aviso" in m for m in messages)
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    margins = [r["val_margin"] for r in rows]
    assert [r["step"] for r in rows] == [20, 40] and margins[-1] > margins[0] > 0
    for name in ("val_pref_accuracy", "val_chosen_logp", "val_rejected_logp", "val_dpo_loss"):
        assert name in rows[-1]
    assert (out / "dpo.png").stat().st_size > 1000 and (out / "loss.png").is_file()


def test_the_aligned_checkpoint_is_an_lm_with_stage_dpo(setup, aligned):
    out, s, _ = aligned
    ckpt = load_checkpoint(out)
    assert ckpt.kind == "lm" and ckpt.meta["stage"] == "dpo" and ckpt.meta["beta"] == 0.1
    assert ckpt.meta["template"] == "comando" and ckpt.meta["step"] == 40
    assert ckpt.meta["base"] == str(load_checkpoint(setup / "sft").path)
    assert ckpt.meta["data"]["train"] == 64 and not ckpt.meta["data"]["shipped"]
    base = load_checkpoint(setup / "sft").model
    assert any(
        not torch.equal(a, b)
        for a, b in zip(ckpt.model.state_dict().values(), base.state_dict().values())
    )


def test_resume_continues_exactly(setup, aligned):
    out, s, _ = aligned
    # a constant learning rate: a 20-step run then is the first 20 steps of a 30-step run
    common = dict(beta=0.1, eval_every=10, lr=1e-3, min_lr=1e-3, warmup_steps=0, **QUIET)
    straight = align_dpo(setup / "sft", setup / "pairs.jsonl", setup / "r1", max_steps=30, **common)
    align_dpo(setup / "sft", setup / "pairs.jsonl", setup / "r2", max_steps=20, **common)
    again = align_dpo(
        setup / "sft", setup / "pairs.jsonl", setup / "r2", max_steps=30, resume=True, **common
    )
    assert again["steps"] == 30
    assert again["after"]["margin"] == pytest.approx(straight["after"]["margin"], abs=1e-4)
    rows = [
        [json.loads(line) for line in (setup / r / "metrics.jsonl").read_text().splitlines()]
        for r in ("r1", "r2")
    ]
    assert [r["step"] for r in rows[0]] == [r["step"] for r in rows[1]] == [10, 20, 30]
    for x, y in zip(*rows):
        assert x["val_margin"] == pytest.approx(y["val_margin"], abs=1e-4)
    a, b = load_checkpoint(setup / "r1").model, load_checkpoint(setup / "r2").model
    for x, y in zip(a.state_dict().values(), b.state_dict().values()):
        assert torch.allclose(x, y, atol=1e-5)
    with pytest.raises(UserError, match="same base model"):
        align_dpo(
            setup / "pre", setup / "pairs.jsonl", setup / "r2", max_steps=31, resume=True, **common
        )
    with pytest.raises(UserError, match="already holds a checkpoint"):
        align_dpo(setup / "sft", setup / "pairs.jsonl", setup / "r2", **common)


def test_lora_dpo_and_the_warning_for_a_base_not_instruction_tuned(setup):
    messages = []
    s = align_dpo(
        setup / "pre",
        setup / "pairs.jsonl",
        setup / "lora",
        lora={"rank": 4},
        max_steps=10,
        eval_every=10,
        lr=2e-3,
        progress=False,
        log=messages.append,
    )
    assert any("not instruction-tuned" in m or "ajuste de instruções" in m for m in messages)
    assert s["trainable_parameters"] < s["total_parameters"] / 5
    assert s["after"]["margin"] > 0
    ckpt = load_checkpoint(setup / "lora")
    assert ckpt.meta["lora"]["merged"] and (setup / "lora" / "adapter").is_dir()
    assert ckpt.meta["template"] == "comando"  # the default, as the base names none


def test_user_mistakes_are_one_sentence_and_write_nothing(setup, tmp_path):
    few = write_jsonl(tmp_path / "few.jsonl", polite_pairs(3))
    with pytest.raises(UserError, match="at least 2 training pairs"):
        align_dpo(setup / "sft", few, tmp_path / "out", **QUIET)
    with pytest.raises(UserError, match="beta must be positive"):
        align_dpo(setup / "sft", setup / "pairs.jsonl", tmp_path / "out", beta=0, **QUIET)
    sft = load_checkpoint(setup / "sft")
    head = GPTClassifier(sft.config, 1, gpt=sft.model)
    save_checkpoint(
        tmp_path / "rm", head, sft.tokenizer, {"kind": "reward", "model": sft.config.to_dict()}
    )
    with pytest.raises(UserError, match="needs a language model"):
        align_dpo(tmp_path / "rm", setup / "pairs.jsonl", tmp_path / "out", **QUIET)
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"instruction": "a", "chosen": "b"}])
    with pytest.raises(UserError, match=r"bad.jsonl:1: .*rejected"):
        align_dpo(setup / "sft", bad, tmp_path / "out", **QUIET)
    with pytest.raises(UserError, match="context"):
        long = [dict(r, chosen=r["chosen"] * 10) for r in polite_pairs(20)]
        align_dpo(
            setup / "sft", write_jsonl(tmp_path / "long.jsonl", long), tmp_path / "out", **QUIET
        )
    assert not (tmp_path / "out").exists()
