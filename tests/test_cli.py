"""The `llmzero` command end to end: outputs, and every bad input ending in one sentence and exit
code 2."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from llmzero.cli import main

TEXT = "\n".join(
    f"linha {i}: o vento leva a folha para o rio, e o rio leva a folha para o mar."
    for i in range(120)
)
TINY = [
    "--preset",
    "nano",
    "--context",
    "32",
    "--batch-size",
    "4",
    "--max-steps",
    "3",
    "--eval-every",
    "2",
    "--eval-batches",
    "1",
    "--samples",
    "1",
    "--no-progress",
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "corpus.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def trained(tmp_path_factory, corpus):
    out = tmp_path_factory.mktemp("run") / "model"
    assert main(["train", "--data", str(corpus), "--out", str(out), *TINY, "--json"]) == 0
    return out


def run(capsys, *args):
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_user_error(code, err, fragment):
    assert code == 2
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("error: ")]
    # progress notes may come first; one error, last
    assert len(errors) == 1 and lines[-1] == errors[0], err
    assert fragment in errors[0], errors[0]
    assert "Traceback" not in err


def test_train_json_line(capsys, corpus, tmp_path):
    code, out, _ = run(
        capsys, "train", "--data", str(corpus), "--out", str(tmp_path / "r"), *TINY, "--json"
    )
    assert code == 0
    data = json.loads(out.strip().splitlines()[-1])
    assert set(data) == {"val_loss", "train_loss", "steps", "tokens_per_second", "params", "out"}
    assert data["steps"] == 3 and data["params"] > 0 and data["val_loss"] > 0
    assert (tmp_path / "r" / "checkpoint" / "model.safetensors").is_file()


def test_generate_json_and_streaming(capsys, trained):
    code, out, _ = run(
        capsys,
        "generate",
        "--model",
        str(trained),
        "o vento",
        "--max-new-tokens",
        "12",
        "--seed",
        "1",
        "--no-stop-at-eot",  # a 3-step model may well draw <|endoftext|>
        "--json",
    )
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"text", "tokens", "tokens_per_second"}
    assert data["tokens"] == 12 and len(data["text"]) > 0
    code, out2, _ = run(
        capsys,
        "generate",
        "--model",
        str(trained),
        "o vento",
        "--max-new-tokens",
        "12",
        "--seed",
        "1",
        "--no-stop-at-eot",
    )
    assert code == 0 and out2.strip() == ("o vento" + data["text"]).strip()


def test_tokenize_json_with_a_checkpoint_tokenizer(capsys, trained):
    code, out, _ = run(capsys, "tokenize", "--tokenizer", str(trained), "--json", "o rio")
    assert code == 0
    data = json.loads(out)
    assert data["tokens"] == ["o", " ", "r", "i", "o"] and len(data["ids"]) == 5


def test_tokenize_gpt2_folder(capsys, gpt2_dir):
    code, out, _ = run(capsys, "tokenize", "--tokenizer", str(gpt2_dir), "--json", "Hello world")
    assert code == 0
    assert json.loads(out)["ids"] == [15496, 995]


def test_info_on_a_model(capsys, trained):
    code, out, _ = run(capsys, "info", "--model", str(trained), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["kind"] == "lm" and data["config"]["n_layer"] == 2 and data["step"] == 3


def test_info_says_whether_the_c_decode_step_is_used(capsys, monkeypatch):
    from llmzero.inference import kernel as cpu_kernel

    code, out, _ = run(capsys, "info", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["cpu_decode_kernel"] is cpu_kernel.available()
    assert (data["cpu_decode_kernel_why_not"] is None) is cpu_kernel.available()
    assert data["huge_pages"] is (data["huge_pages_why_not"] is None)
    assert data["huge_pages"] is (
        os.environ.get("THP_MEM_ALLOC_ENABLE") != "0"
        and cpu_kernel.thp_mode() in ("always", "madvise")
    )
    monkeypatch.setattr(
        cpu_kernel, "_state", {"tried": True, "lib": None, "why_not": "no C compiler (test)"}
    )
    code, out, _ = run(capsys, "--lang", "en", "info")
    assert code == 0 and "decode.c not used (no C compiler (test))" in out


def test_messages_follow_lang(capsys, tmp_path):
    code, _, err = run(
        capsys,
        "--lang",
        "pt",
        "train",
        "--data",
        str(tmp_path / "nada.txt"),
        "--out",
        str(tmp_path / "o"),
    )
    assert code == 2 and err.startswith("erro: arquivo não encontrado")


@pytest.mark.parametrize(
    "content, fragment",
    [
        (None, "file not found"),
        (b"\xc3\x28 invalid", "not UTF-8"),
        (b"   \n\t\n", "is empty"),
        ("curto demais".encode(), "shorter than one context window"),
    ],
)
def test_bad_corpus(capsys, tmp_path, content, fragment):
    data = tmp_path / "c.txt"
    if content is not None:
        data.write_bytes(content)
    code, _, err = run(capsys, "train", "--data", str(data), "--out", str(tmp_path / "out"), *TINY)
    assert_user_error(code, err, fragment)
    assert not (tmp_path / "out").exists()


def test_unknown_preset(capsys, corpus, tmp_path):
    code, _, err = run(
        capsys, "train", "--data", str(corpus), "--preset", "gigante", "--out", str(tmp_path / "o")
    )
    assert_user_error(code, err, "unknown preset")
    assert not (tmp_path / "o").exists()


def test_heads_must_divide_the_dimension(capsys, corpus, tmp_path):
    code, _, err = run(
        capsys,
        "train",
        "--data",
        str(corpus),
        "--heads",
        "3",
        "--dim",
        "64",
        "--out",
        str(tmp_path / "o"),
    )
    assert_user_error(code, err, "must divide the dimension")
    assert not (tmp_path / "o").exists()


def test_bad_flag_value(capsys, corpus):
    code, _, err = run(capsys, "train", "--data", str(corpus), "--max-steps", "muitos")
    assert code == 2 and "expected a whole number" in err and "Traceback" not in err


def test_existing_run_is_not_overwritten(capsys, corpus, trained):
    before = (trained / "checkpoint" / "model.safetensors").read_bytes()
    code, _, err = run(capsys, "train", "--data", str(corpus), "--out", str(trained), *TINY)
    assert_user_error(code, err, "--resume")
    assert (trained / "checkpoint" / "model.safetensors").read_bytes() == before


def test_prompt_longer_than_the_context(capsys, trained):
    code, _, err = run(capsys, "generate", "--model", str(trained), "o" * 40, "--json")
    assert_user_error(code, err, "more than the model's context")


def test_corrupt_checkpoint(capsys, trained, tmp_path):
    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(trained / "checkpoint", bad)
    (bad / "config.json").write_text("{not json")
    code, _, err = run(capsys, "generate", "--model", str(bad), "o")
    assert_user_error(code, err, "invalid JSON")
    shutil.copyfile(trained / "checkpoint" / "config.json", bad / "config.json")
    weights = bad / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:500])
    code, _, err = run(capsys, "generate", "--model", str(bad), "o")
    assert_user_error(code, err, "corrupt")


def test_foreign_checkpoint(capsys, tmp_path):
    (tmp_path / "hf").mkdir()
    (tmp_path / "hf" / "config.json").write_text(json.dumps({"model_type": "gpt2", "n_layer": 2}))
    code, _, err = run(capsys, "generate", "--model", str(tmp_path / "hf"), "oi")
    assert_user_error(code, err, "Hugging Face")
    (tmp_path / "other").mkdir()
    code, _, err = run(capsys, "generate", "--model", str(tmp_path / "other"), "oi")
    assert_user_error(code, err, "not an llmzero checkpoint")


def test_resume_extends_a_run(capsys, corpus, tmp_path):
    out = tmp_path / "r"
    assert run(capsys, "train", "--data", str(corpus), "--out", str(out), *TINY)[0] == 0
    code, stdout, _ = run(
        capsys,
        "train",
        "--out",
        str(out),
        "--resume",
        "--max-steps",
        "5",
        "--json",
        "--no-progress",
    )
    assert code == 0
    assert json.loads(stdout.strip().splitlines()[-1])["steps"] == 5
    rows = [json.loads(x) for x in (out / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == [2, 3, 4, 5]


def test_prepare_then_train_on_the_token_file(capsys, corpus, tmp_path):
    code, out, _ = run(
        capsys, "prepare", "--data", str(corpus), "--out", str(tmp_path / "t.bin"), "--json"
    )
    assert code == 0 and json.loads(out)["tokens"] == len(TEXT)
    code, out, _ = run(
        capsys,
        "train",
        "--data",
        str(tmp_path / "t.bin"),
        "--out",
        str(tmp_path / "r"),
        *TINY,
        "--json",
    )
    assert code == 0 and json.loads(out.strip().splitlines()[-1])["steps"] == 3


def test_ctrl_c_saves_and_exits_cleanly(corpus, tmp_path):
    """A real SIGINT to a real process: a checkpoint is saved and the process ends without a
    traceback."""
    out = tmp_path / "r"
    cmd = [
        sys.executable,
        "-m",
        "llmzero.cli",
        "--lang",
        "en",
        "train",
        "--data",
        str(corpus),
        "--out",
        str(out),
        "--preset",
        "nano",
        "--context",
        "32",
        "--batch-size",
        "4",
        "--max-steps",
        "100000",
        "--checkpoint-every",
        "1000000",
        "--eval-every",
        "5",
        "--eval-batches",
        "1",
        "--no-progress",
    ]
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    deadline = time.time() + 120
    while not (out / "metrics.jsonl").exists() and time.time() < deadline:
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "interrupted" in stderr
    step = json.loads((out / "checkpoint" / "config.json").read_text())["step"]
    assert step >= 5


def test_choices_written_out_in_the_cli_match_the_library():
    """The CLI spells out a few choice lists so that `llmzero --help` does not import torch."""
    from llmzero.cli import evaluate, interop
    from llmzero.evaluation.classify_eval import SPLIT_CHOICES
    from llmzero.interop.download import GPT2_RELEASES
    from llmzero.interop.gguf_export import DTYPES

    assert evaluate.SPLIT_CHOICES == SPLIT_CHOICES
    assert interop.GPT2_SIZES == tuple(GPT2_RELEASES)
    assert interop.GGUF_DTYPES == tuple(DTYPES)


def test_help_does_not_import_torch():
    code = (
        "import sys; from llmzero.cli import build_parser; build_parser(); "
        "print('torch' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"


# -- issue 21: what used to end in a traceback, and what a learner reads ---------------------------


@pytest.mark.parametrize(
    "device, fragment",
    [("banana", "unknown device: 'banana'"), ("cuda", "CUDA is not available")],
)
def test_generate_on_a_device_this_machine_lacks(capsys, trained, device, fragment):
    if device == "cuda":
        import torch

        if torch.cuda.is_available():
            pytest.skip("this machine has CUDA")
    code, _, err = run(capsys, "generate", "--model", str(trained), "o", "--device", device)
    assert_user_error(code, err, fragment)


def test_every_seed_flag_is_bounded(capsys, trained):
    """argparse's int took any size; torch then overflowed with a traceback. Seeds go from 0 to
    2**32 - 1, what every generator we seed accepts."""
    from test_cli_hostile import verb_parsers

    seeded = [
        verb
        for verb, parser in verb_parsers().items()
        if any(action.dest == "seed" for action in parser._actions)
    ]
    assert {("train",), ("generate",), ("chat",), ("ask",), ("journey",), ("lab",)} <= set(seeded)
    for verb in seeded:
        for bad in ("99999999999999999999999", "-1", str(2**32)):
            code, _, err = run(capsys, *verb, f"--seed={bad}")
            assert_user_error(code, err, "a seed goes from 0 to")
    code, _, err = run(capsys, "generate", "--model", str(trained), "o", "--seed", "9" * 23)
    assert_user_error(code, err, "seed")
    code, out, _ = run(capsys, "generate", "--model", str(trained), "o", "--seed", str(2**32 - 1))
    assert code == 0 and out.startswith("o")


@pytest.mark.parametrize("where", ["/proc/llmzero-tokens.bin", "FILE/tokens.bin", "DIR"])
def test_prepare_into_a_place_it_cannot_write(capsys, corpus, tmp_path, where):
    (tmp_path / "FILE").write_text("x")
    (tmp_path / "DIR").mkdir()
    out = where if where.startswith("/") else str(tmp_path / where)
    code, _, err = run(capsys, "prepare", "--data", str(corpus), "--out", out)
    assert_user_error(code, err, out)


def test_an_os_error_anywhere_is_one_sentence(capsys, corpus, tmp_path):
    """train writes its folder through code the CLI does not own: the CLI still answers in one
    sentence naming the path."""
    (tmp_path / "FILE").write_text("x")
    out = str(tmp_path / "FILE" / "run")
    code, _, err = run(capsys, "train", "--data", str(corpus), "--out", out, *TINY)
    assert_user_error(code, err, out)


@pytest.fixture(scope="module")
def says_eot(tmp_path_factory):
    """A checkpoint whose model answers "ok" and then <|endoftext|>, like an instruction-tuned
    one."""
    import torch

    from llmzero.checkpoint import save_checkpoint
    from llmzero.model import GPT, GPTConfig
    from llmzero.tokenizers import CharTokenizer

    tok = CharTokenizer().train("ok pergunta resposta")
    config = GPTConfig(
        vocab_size=tok.vocab_size,
        context_length=32,
        n_layer=1,
        n_head=1,
        n_embd=8,
        tie_weights=False,
    )
    model = GPT(config)
    o, k, eot = tok.encode("o")[0], tok.encode("k")[0], tok.eot_id
    # Blocks that add nothing: the next token depends on the last one's embedding alone.
    with torch.no_grad():
        for p in model.parameters():
            p.zero_()
        model.ln_f.weight.fill_(1.0)
        emb, head = model.tok_emb.weight, model.lm_head.weight
        emb[o, 0], emb[k, 1], emb[eot, 2] = 1.0, 1.0, 1.0
        head[k, 0], head[eot, 1], head[o, 2] = 10.0, 10.0, 10.0  # o -> k -> eot -> o
    folder = tmp_path_factory.mktemp("eot") / "model"
    save_checkpoint(folder, model, tok, {"model": config.to_dict()})
    return folder


def test_generate_stops_at_the_end_of_text_token(capsys, says_eot):
    code, out, _ = run(
        capsys, "generate", "--model", str(says_eot), "o", "--temperature", "0",
        "--max-new-tokens", "6",
    )  # fmt: skip
    assert code == 0 and out == "ok\n"
    code, out, _ = run(
        capsys, "generate", "--model", str(says_eot), "o", "--temperature", "0",
        "--max-new-tokens", "6", "--json",
    )  # fmt: skip
    assert code == 0 and json.loads(out)["text"] == "k"
    code, out, _ = run(
        capsys, "generate", "--model", str(says_eot), "o", "--temperature", "0",
        "--max-new-tokens", "6", "--no-stop-at-eot",
    )  # fmt: skip
    assert code == 0 and out.startswith("ok<|endoftext|>o")


def test_quantize_help_does_not_promise_speed(capsys):
    for lang, smaller, where in (
        ("en", "4× smaller", "memory-bound steps of large models"),
        ("pt", "4× menor", "limitados pela memória de modelos grandes"),
    ):
        code, out, _ = run(capsys, "--lang", lang, "quantize", "--help")
        text = " ".join(out.split())
        assert code == 0 and smaller in text and where in text
        assert "faster on a CPU" not in text and "mais rápida na CPU" not in text
        code, out, _ = run(capsys, "--lang", lang, "--help")
        assert where.split()[-1] in " ".join(out.split())
