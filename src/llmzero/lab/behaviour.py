"""How the model behaves with different inputs: prompt length, text outside its data, a long
conversation, questions it cannot know, and the way a question is asked."""

from __future__ import annotations

import math
import random

import numpy as np

from llmzero.chat import ChatSession
from llmzero.errors import t
from llmzero.evaluation.perplexity import perplexity
from llmzero.lab.core import (
    ExperimentResult,
    LabContext,
    answer,
    experiment,
    fmt,
    keyword_match,
    load_data,
    md_table,
    quote,
    save_plot,
)
from llmzero.plots import figure
from llmzero.sampling import sampling_preset


def _prompts() -> dict:
    return load_data("prompts_ptbr.json")


# --------------------------------------------------------------------------------------------------
# 1. Prompt length
# --------------------------------------------------------------------------------------------------
@experiment("prompt-length", "Tamanho do prompt", "Prompt length")
def prompt_length(ctx: LabContext) -> ExperimentResult:
    lm = ctx.lm()
    pairs = _prompts()["prompt_length"]
    max_new = ctx.pick(24, 40)
    rows = []
    for pair in pairs:
        row = {"question": pair["short"]}
        for kind in ("short", "long"):
            a = answer(lm, lm.question_prompt(pair[kind]), max_new_tokens=max_new)
            row[kind] = {
                "prompt_tokens": a.prompt_tokens,
                "dropped_tokens": a.dropped_tokens,
                "answer": a.text,
                "mean_prob": a.mean_prob,
                "correct": keyword_match(a.text, pair["keywords"]),
            }
        rows.append(row)
    m = {"pairs": rows, "context_length": lm.context_length}
    for kind in ("short", "long"):
        m[f"mean_prob_{kind}"] = float(np.mean([r[kind]["mean_prob"] for r in rows]))
        m[f"accuracy_{kind}"] = float(np.mean([r[kind]["correct"] for r in rows]))
        m[f"mean_tokens_{kind}"] = float(
            np.mean([r[kind]["prompt_tokens"] + r[kind]["dropped_tokens"] for r in rows])
        )

    fig, (ax1, ax2) = figure(1, 2, figsize=(11, 4))
    x = np.arange(len(rows))
    labels = [f"Q{i + 1}" for i in x]
    ax1.bar(x - 0.2, [r["short"]["mean_prob"] for r in rows], 0.4, label=t("curto", "short"))
    ax1.bar(x + 0.2, [r["long"]["mean_prob"] for r in rows], 0.4, label=t("longo", "long"))
    ax1.set_xticks(x, labels)
    ax1.set_ylabel(
        t("probabilidade média dos tokens da resposta", "mean probability of the answer's tokens")
    )
    ax1.set_title(t("Confiança da resposta", "Confidence of the answer"))
    ax1.legend()
    ax2.bar(
        x - 0.2,
        [r["short"]["prompt_tokens"] + r["short"]["dropped_tokens"] for r in rows],
        0.4,
        label=t("curto", "short"),
    )
    ax2.bar(
        x + 0.2,
        [r["long"]["prompt_tokens"] + r["long"]["dropped_tokens"] for r in rows],
        0.4,
        label=t("longo", "long"),
    )
    ax2.axhline(
        lm.context_length,
        color="red",
        linestyle="--",
        label=t("contexto do modelo", "model's context"),
    )
    ax2.set_xticks(x, labels)
    ax2.set_ylabel(t("tokens do prompt", "prompt tokens"))
    ax2.set_title(t("Tamanho do prompt", "Prompt size"))
    ax2.legend()
    plot = save_plot(fig, ctx, "prompt-length", "prompt_length.png")

    table = md_table(
        [
            "#",
            t("pergunta", "question"),
            t("tokens curto/longo", "tokens short/long"),
            t("resposta ao curto", "answer to short"),
            t("resposta ao longo", "answer to long"),
            "p̄ short",
            "p̄ long",
        ],
        [
            [
                f"Q{i + 1}",
                r["question"],
                f"{r['short']['prompt_tokens']}/"
                f"{r['long']['prompt_tokens'] + r['long']['dropped_tokens']}",
                ("✔ " if r["short"]["correct"] else "✘ ") + quote(r["short"]["answer"], 90),
                ("✔ " if r["long"]["correct"] else "✘ ") + quote(r["long"]["answer"], 90),
                fmt(r["short"]["mean_prob"], 2),
                fmt(r["long"]["mean_prob"], 2),
            ]
            for i, r in enumerate(rows)
        ],
    )
    dropped = sum(r["long"]["dropped_tokens"] > 0 for r in rows)
    body = (
        t(
            "A mesma pergunta foi feita duas vezes: curta e embrulhada num contexto longo (a "
            "pergunta "
            "fica no fim). "
            "Respostas gulosas (temperatura 0); p̄ é a probabilidade média que o modelo deu a cada "
            "token que escreveu "
            '(a sua "confiança"); ✔ quando a resposta contém a palavra-chave esperada.'
            + (
                f" Em {dropped} pergunta(s) o prompt longo não coube no contexto e perdeu o começo."
                if dropped
                else ""
            ),
            "The same question was asked twice: short, and wrapped in a long context (the question "
            "comes last). "
            "Greedy answers (temperature 0); p̄ is the mean probability the model gave each token "
            "it "
            "wrote (its "
            '"confidence"); ✔ when the answer contains the expected keyword.'
            + (
                f" In {dropped} question(s) the long prompt did not fit the context and lost its "
                "beginning."
                if dropped
                else ""
            ),
        )
        + "\n\n"
        + table
    )
    a_s, a_l = m["accuracy_short"], m["accuracy_long"]
    n = len(rows)
    changed = (
        abs(m["mean_prob_long"] - m["mean_prob_short"]) >= 0.02
        or a_s != a_l
        or any(r["short"]["answer"] != r["long"]["answer"] for r in rows)
    )
    end_pt = (
        "o texto em volta da pergunta muda o que o modelo prevê."
        if changed
        else "aqui o contexto extra quase não mudou nada."
    )
    end_en = (
        "the text around the question changes what the model predicts."
        if changed
        else "here the extra context changed almost nothing."
    )
    return ExperimentResult(
        "prompt-length",
        m,
        [plot],
        body,
        f"Com o prompt longo (≈{m['mean_tokens_long']:.0f} tokens contra "
        f"≈{m['mean_tokens_short']:.0f}) a confiança média "
        f"vai de {m['mean_prob_short']:.2f} para {m['mean_prob_long']:.2f} e os acertos de "
        f"{round(a_s * n)}/{n} para "
        f"{round(a_l * n)}/{n}: {end_pt}",
        f"With the long prompt (≈{m['mean_tokens_long']:.0f} tokens instead of "
        f"≈{m['mean_tokens_short']:.0f}) the mean "
        f"confidence goes from {m['mean_prob_short']:.2f} to {m['mean_prob_long']:.2f} and the "
        f"hits from {round(a_s * n)}/{n} "
        f"to {round(a_l * n)}/{n}: {end_en}",
    )


# --------------------------------------------------------------------------------------------------
# 2. Out of domain
# --------------------------------------------------------------------------------------------------
def validation_sentences(ctx: LabContext, n: int, max_chars: int = 200) -> list[str]:
    """``n`` lines from the last 10 % of the shipped corpus (the part pre-training holds out for
    validation)."""
    text = ctx.corpus()
    tail = text[int(len(text) * 0.9) :]
    lines = [
        ln.strip()
        for ln in tail.splitlines()[1:]
        if len(ln.split()) >= 12 and not ln.startswith("###")
    ]
    picks = random.Random(ctx.seed).sample(lines, min(n, len(lines)))
    out = []
    for line in picks:
        if len(line) > max_chars:
            line = line[:max_chars].rsplit(" ", 1)[0]
        out.append(line)
    return out


@experiment("out-of-domain", "Fora do domínio", "Out of domain")
def out_of_domain(ctx: LabContext) -> ExperimentResult:
    lm = ctx.lm()
    data = _prompts()["out_of_domain"]
    texts = [
        (t("corpus (validação)", "corpus (validation)"), "in", s)
        for s in validation_sentences(ctx, data["from_validation"])
    ]
    texts += [(t("estilo do corpus", "corpus style"), "in", s) for s in data["in_domain"]]
    texts += [(item["label"], "out", item["text"]) for item in data["out_of_domain"]]
    rows = []
    for label, domain, text in texts:
        ppl = perplexity(lm.model, lm.tokenizer, text)
        start = " ".join(text.split()[:5])
        cont = answer(lm, start, max_new_tokens=ctx.pick(16, 24), stop=["\n"])
        rows.append(
            {
                "label": label,
                "domain": domain,
                "text": text,
                "ppl": ppl["ppl"],
                "loss": ppl["loss"],
                "bits_per_char": ppl["bits_per_char"],
                "tokens": ppl["tokens"],
                "prompt": start,
                "continuation": cont.text,
                "continuation_prob": cont.mean_prob,
            }
        )
    m = {"texts": rows}
    for domain in ("in", "out"):
        group = [r for r in rows if r["domain"] == domain]
        # Typical perplexity of the group: exp of the mean loss per token over all its tokens.
        m[f"ppl_{domain}"] = math.exp(
            sum(r["loss"] * r["tokens"] for r in group) / sum(r["tokens"] for r in group)
        )
        m[f"bits_per_char_{domain}"] = float(np.mean([r["bits_per_char"] for r in group]))
    m["ratio"] = m["ppl_out"] / m["ppl_in"]

    fig, ax = figure(figsize=(8, 0.45 * len(rows) + 1.5))
    y = np.arange(len(rows))
    colors = ["tab:green" if r["domain"] == "in" else "tab:red" for r in rows]
    ax.barh(y, [r["ppl"] for r in rows], color=colors)
    ax.set_yticks(y, [f"{r['label']}: {quote(r['text'], 28)}" for r in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel(t("perplexidade por token (escala log)", "perplexity per token (log scale)"))
    ax.set_title(
        t("Verde: dentro do domínio · vermelho: fora", "Green: in domain · red: out of domain")
    )
    plot = save_plot(fig, ctx, "out-of-domain", "perplexity.png")

    table = md_table(
        [
            t("tipo", "kind"),
            t("texto", "text"),
            "ppl",
            t("bits/caractere", "bits/char"),
            t(
                "continuação (gulosa) das 5 primeiras palavras",
                "greedy continuation of the first 5 words",
            ),
        ],
        [
            [
                r["label"],
                quote(r["text"], 60),
                fmt(r["ppl"], 1),
                fmt(r["bits_per_char"], 2),
                f"*{r['prompt']}* → {quote(r['continuation'], 80)}",
            ]
            for r in rows
        ],
    )
    body = (
        t(
            "Perplexidade = exp(surpresa média por token): quanto maior, menos o texto parece com "
            "o que o modelo viu. "
            "Bits por caractere não dependem do tokenizador (textos estranhos viram mais tokens).",
            "Perplexity = exp(mean surprise per token): the higher, the less the text looks like "
            "what the model saw. "
            "Bits per character do not depend on the tokenizer (odd texts become more tokens).",
        )
        + "\n\n"
        + table
    )
    return ExperimentResult(
        "out-of-domain",
        m,
        [plot],
        body,
        f"Dentro do domínio a perplexidade típica é {m['ppl_in']:.1f}; fora dele, "
        f"{m['ppl_out']:.1f} "
        f"({m['ratio']:.1f}× maior; {m['bits_per_char_in']:.2f} contra "
        f"{m['bits_per_char_out']:.2f} bits por caractere): "
        + (
            'o modelo só "entende" o tipo de texto em que foi treinado.'
            if m["ratio"] > 1.2
            else "para este modelo os dois tipos de texto são quase igualmente estranhos."
        ),
        f"In domain the typical perplexity is {m['ppl_in']:.1f}; out of it, {m['ppl_out']:.1f} "
        f"({m['ratio']:.1f}× higher; {m['bits_per_char_in']:.2f} vs {m['bits_per_char_out']:.2f} "
        "bits per character): "
        + (
            'the model only "understands" the kind of text it was trained on.'
            if m["ratio"] > 1.2
            else "to this model both kinds of text are about equally strange."
        ),
    )


# --------------------------------------------------------------------------------------------------
# 3. Multi-turn
# --------------------------------------------------------------------------------------------------
def simulate_conversation(lm, turns: list[str], max_new_tokens: int, watch: str) -> list[dict]:
    """Play ``turns`` against the model with chat.ChatSession; per turn, what the prompt holds."""
    session = ChatSession(
        lm.model,
        lm.tokenizer,
        template=lm.meta.get("template", "comando"),
        system_prompt=lm.meta.get("system_prompt"),
        sampling=sampling_preset("greedy", max_new_tokens=max_new_tokens),
        reply_room=max_new_tokens,
    )
    enc = lm.tokenizer.encode
    rows = []
    for i, user in enumerate(turns):
        full = session.template.format_chat(session.system_prompt, session.history, user)
        prompt = session.build_prompt(user)  # exactly what reply() will send
        past = len(session.history)
        reply = session.reply(user)
        rows.append(
            {
                "turn": i + 1,
                "user": user,
                "reply": reply,
                "full_tokens": len(enc(full)),
                "visible_tokens": len(enc(prompt)),
                "past_turns": past,
                "visible_turns": past - session.dropped_turns,
                "watch_visible": watch in prompt,
                "budget": session.context_length - session.reply_room,
            }
        )
    return rows


@experiment("multi-turn", "Conversa de vários turnos", "Multi-turn conversation")
def multi_turn(ctx: LabContext) -> ExperimentResult:
    lm = ctx.lm()
    data = _prompts()["multi_turn"]
    name = data["name"]
    max_new = ctx.pick(24, 40)
    rows = simulate_conversation(lm, data["turns"], max_new, name)
    # 1: the introduction itself did not fit
    lost = next((r["turn"] for r in rows if not r["watch_visible"]), None)
    overflow = next((r["turn"] for r in rows if r["full_tokens"] > r["budget"]), None)
    last = rows[-1]
    m = {
        "turns": rows,
        "context_length": lm.context_length,
        "budget": last["budget"],
        "first_overflow_turn": overflow,
        "name_lost_at_turn": lost,
        "final_visible_turns": last["visible_turns"],
        "final_past_turns": last["past_turns"],
        "final_answer_has_name": keyword_match(last["reply"], [name]),
    }

    fig, (ax1, ax2) = figure(1, 2, figsize=(11, 4))
    turns = [r["turn"] for r in rows]
    ax1.plot(
        turns,
        [r["full_tokens"] for r in rows],
        "o-",
        label=t("conversa inteira", "whole conversation"),
    )
    ax1.plot(
        turns,
        [r["visible_tokens"] for r in rows],
        "s-",
        label=t("o que o modelo vê", "what the model sees"),
    )
    ax1.axhline(
        last["budget"],
        color="red",
        linestyle="--",
        label=t("limite (contexto − resposta)", "limit (context − reply)"),
    )
    if lost:
        ax1.axvline(
            lost,
            color="gray",
            linestyle=":",
            label=t(f"'{name}' sai do contexto", f"'{name}' leaves the context"),
        )
    ax1.set_xlabel(t("turno", "turn"))
    ax1.set_ylabel("tokens")
    ax1.legend(fontsize=8)
    ax1.set_title(t("Tokens do histórico", "History tokens"))
    ax2.bar(
        turns,
        [r["past_turns"] for r in rows],
        color="lightgray",
        label=t("turnos anteriores", "earlier turns"),
    )
    ax2.bar(
        turns,
        [r["visible_turns"] for r in rows],
        color="tab:blue",
        label=t("turnos ainda visíveis", "turns still visible"),
    )
    ax2.set_xlabel(t("turno", "turn"))
    ax2.legend(fontsize=8)
    ax2.set_title(t("Memória da conversa", "Conversation memory"))
    plot = save_plot(fig, ctx, "multi-turn", "history.png")

    table = md_table(
        [
            t("turno", "turn"),
            t("usuário", "user"),
            t("resposta", "reply"),
            t("tokens (total/visto)", "tokens (total/seen)"),
            t("turnos visíveis", "visible turns"),
            t(f"'{name}' no contexto?", f"'{name}' in context?"),
        ],
        [
            [
                r["turn"],
                quote(r["user"], 60),
                quote(r["reply"], 70),
                f"{r['full_tokens']}/{r['visible_tokens']}",
                f"{r['visible_turns']}/{r['past_turns']}",
                "✔" if r["watch_visible"] else "✘",
            ]
            for r in rows
        ],
    )
    body = (
        t(
            "O modelo não tem memória: a cada turno a conversa inteira é reenviada "
            "(chat.ChatSession). Quando ela passa "
            f"de {last['budget']} tokens (contexto {lm.context_length} menos "
            f"{lm.context_length - last['budget']} reservados "
            "para a resposta), os turnos mais antigos são descartados.",
            "The model has no memory: each turn the whole conversation is sent again "
            "(chat.ChatSession). When it grows "
            f"past {last['budget']} tokens (context {lm.context_length} minus "
            f"{lm.context_length - last['budget']} kept "
            "for the reply), the oldest turns are dropped.",
        )
        + "\n\n"
        + table
    )
    if lost == 1:
        pt = (
            f"Com só {last['budget']} tokens para o prompt, nem a primeira mensagem coube inteira "
            f'(o nome "{name}" foi '
            f"cortado); no fim o modelo vê {last['visible_turns']} de {last['past_turns']} "
            "turnos anteriores."
        )
        en = (
            f"With only {last['budget']} tokens for the prompt, not even the first message fit "
            f'whole (the name "{name}" '
            f"was cut); at the end the model sees {last['visible_turns']} of "
            f"{last['past_turns']} earlier turns."
        )
    elif lost:
        pt = (
            f"A conversa passa do limite no turno {overflow}; no turno {lost} a apresentação "
            f'("{name}") já saiu do contexto, '
            f"e no fim o modelo vê só {last['visible_turns']} de {last['past_turns']} turnos "
            "anteriores — ao perguntar o nome, "
            "ele "
            f"{'ainda acerta por acaso' if m['final_answer_has_name'] else 'não tem como saber'}."
        )
        en = (
            f"The conversation passes the limit at turn {overflow}; by turn {lost} the "
            f'introduction ("{name}") has left the '
            f"context, and at the end the model sees only {last['visible_turns']} of "
            f"{last['past_turns']} earlier turns — asked "
            "for the name, it "
            f"{'still gets it by chance' if m['final_answer_has_name'] else 'has no way to know'}."
        )
    else:
        pt = (
            f"A conversa inteira ({last['full_tokens']} tokens) coube no contexto de "
            f"{lm.context_length}: o modelo ainda vê "
            "a apresentação, e "
            f"{'responde' if m['final_answer_has_name'] else 'mesmo assim não responde'} o nome."
        )
        en = (
            f"The whole conversation ({last['full_tokens']} tokens) fit the "
            f"{lm.context_length}-token context: the model "
            "still sees the introduction, and "
            f"{'answers' if m['final_answer_has_name'] else 'still does not answer'} the name."
        )
    return ExperimentResult("multi-turn", m, [plot], body, pt, en)


# --------------------------------------------------------------------------------------------------
# 5. Hallucination
# --------------------------------------------------------------------------------------------------
TYPE_NAMES = {
    "conhecida": ("conhecida", "known"),
    "ausente": ("fora dos dados", "absent from the data"),
    "premissa_falsa": ("premissa falsa", "false premise"),
}


@experiment("hallucination", "Alucinação e confiança", "Hallucination and confidence")
def hallucination(ctx: LabContext) -> ExperimentResult:
    lm = ctx.lm()
    items = load_data("hallucination_ptbr.json")["items"]
    max_new = ctx.pick(20, 32)
    rows = []
    for item in items:
        a = answer(lm, lm.question_prompt(item["question"]), max_new_tokens=max_new)
        rows.append(
            {
                "id": item["id"],
                "type": item["type"],
                "question": item["question"],
                "answer": a.text,
                "confidence": a.mean_prob,
                "correct": keyword_match(a.text, item["keywords"]),
            }
        )
    types = list(dict.fromkeys(r["type"] for r in rows))
    by_type = {}
    for kind in types:
        group = [r for r in rows if r["type"] == kind]
        by_type[kind] = {
            "n": len(group),
            "accuracy": float(np.mean([r["correct"] for r in group])),
            "confidence": float(np.mean([r["confidence"] for r in group])),
        }
    right = [r["confidence"] for r in rows if r["correct"]]
    wrong = [r["confidence"] for r in rows if not r["correct"]]
    m = {
        "items": rows,
        "by_type": by_type,
        "accuracy": float(np.mean([r["correct"] for r in rows])),
        "confidence_correct": float(np.mean(right)) if right else None,
        "confidence_wrong": float(np.mean(wrong)) if wrong else None,
        "confident_wrong": sum(1 for c in wrong if c >= 0.5),
    }

    fig, (ax1, ax2) = figure(1, 2, figsize=(11, 4))
    rng = np.random.default_rng(0)
    for i, kind in enumerate(types):
        group = [r for r in rows if r["type"] == kind]
        xs = i + rng.uniform(-0.15, 0.15, len(group))
        ok = np.array([r["correct"] for r in group])
        conf = np.array([r["confidence"] for r in group])
        ax1.scatter(
            xs[ok],
            conf[ok],
            color="tab:green",
            marker="o",
            label=t("certa", "correct") if i == 0 else None,
        )
        ax1.scatter(
            xs[~ok],
            conf[~ok],
            color="tab:red",
            marker="x",
            label=t("errada", "wrong") if i == 0 else None,
        )
    names = [t(*TYPE_NAMES.get(k, (k, k))) for k in types]
    ax1.set_xticks(range(len(types)), names)
    ax1.set_ylim(0, 1)
    ax1.set_ylabel(t("confiança (prob. média dos tokens)", "confidence (mean token prob.)"))
    ax1.set_title(t("Cada ponto é uma pergunta", "Each point is one question"))
    ax1.legend()
    x = np.arange(len(types))
    ax2.bar(x - 0.2, [by_type[k]["accuracy"] for k in types], 0.4, label=t("acerto", "accuracy"))
    ax2.bar(
        x + 0.2,
        [by_type[k]["confidence"] for k in types],
        0.4,
        label=t("confiança média", "mean confidence"),
    )
    ax2.set_xticks(x, names)
    ax2.set_ylim(0, 1)
    ax2.legend()
    ax2.set_title(t("Acerto × confiança por tipo", "Accuracy vs confidence by type"))
    plot = save_plot(fig, ctx, "hallucination", "confidence.png")

    summary = md_table(
        [
            t("tipo", "type"),
            t("perguntas", "questions"),
            t("acerto", "accuracy"),
            t("confiança média", "mean confidence"),
        ],
        [
            [t(*TYPE_NAMES.get(k, (k, k))), v["n"], f"{v['accuracy']:.0%}", fmt(v["confidence"], 2)]
            for k, v in by_type.items()
        ],
    )
    table = md_table(
        [
            "id",
            t("pergunta", "question"),
            t("resposta", "answer"),
            t("confiança", "confidence"),
            "",
        ],
        [
            [
                r["id"],
                r["question"],
                quote(r["answer"], 90),
                fmt(r["confidence"], 2),
                "✔" if r["correct"] else "✘",
            ]
            for r in rows
        ],
    )
    body = (
        t(
            "Um conjunto rotulado de 30 perguntas (src/llmzero/lab/data/hallucination_ptbr.json): "
            "10 cuja resposta está no "
            "corpus, 10 sobre coisas que o corpus não menciona e 10 com premissa falsa. Resposta "
            "gulosa; certa quando contém "
            "uma palavra-chave aceita; confiança = probabilidade média que o modelo deu aos "
            "próprios tokens.",
            "A labelled set of 30 questions (src/llmzero/lab/data/hallucination_ptbr.json): 10 "
            "answered in the corpus, 10 "
            "about things the corpus never mentions and 10 with a false premise. Greedy answer; "
            "correct when it contains an "
            "accepted keyword; confidence = mean probability the model gave its own tokens.",
        )
        + "\n\n"
        + summary
        + "\n\n"
        + table
    )
    k, a = by_type.get("conhecida", {}), by_type.get("ausente", {})
    cw, cr = m["confidence_wrong"], m["confidence_correct"]
    if cr is None:
        end_pt = (
            f"nenhuma resposta está certa, mas a confiança média das erradas é {fmt(cw, 2)}: a "
            "confiança do modelo "
            "não diz se ele sabe."
        )
        end_en = (
            f"no answer is right, yet the wrong ones have mean confidence {fmt(cw, 2)}: the "
            "model's confidence does "
            "not tell whether it knows."
        )
    elif cw is None or cr - cw >= 0.1:
        end_pt = (
            f"as certas vêm com mais confiança ({fmt(cr, 2)} contra {fmt(cw, 2)}), "
            "mas a confiança não garante a verdade."
        )
        end_en = (
            f"right answers come with more confidence ({fmt(cr, 2)} vs {fmt(cw, 2)}), "
            "but confidence does not guarantee truth."
        )
    else:
        end_pt = (
            f"respostas erradas têm confiança {fmt(cw, 2)} contra {fmt(cr, 2)} das certas: "
            "ele inventa com a mesma segurança."
        )
        end_en = (
            f"wrong answers have confidence {fmt(cw, 2)} against {fmt(cr, 2)} for right ones: "
            "it makes things up just as surely."
        )
    return ExperimentResult(
        "hallucination",
        m,
        [plot],
        body,
        f"Perguntas fora dos dados: acerto {a.get('accuracy', 0):.0%} com confiança média "
        f"{a.get('confidence', 0):.2f}; "
        f"perguntas conhecidas: acerto {k.get('accuracy', 0):.0%}, confiança "
        f"{k.get('confidence', 0):.2f}; {end_pt}",
        f"Questions absent from the data: {a.get('accuracy', 0):.0%} correct at mean confidence "
        f"{a.get('confidence', 0):.2f}; "
        f"known questions: {k.get('accuracy', 0):.0%} correct, confidence "
        f"{k.get('confidence', 0):.2f}; {end_en}",
    )


# --------------------------------------------------------------------------------------------------
# 6. Prompt engineering
# --------------------------------------------------------------------------------------------------
def build_prompts(lm, data: dict, question: str) -> list[tuple[str, str, str]]:
    """(name pt, name en, prompt) of every template for ``question``."""
    sep = (lm.template.end + "\n\n") if lm.instruct else "\n\n"
    fill = {
        "question": question,
        "template": lm.question_prompt(question),
        "template_with_instruction": lm.question_prompt(f"{data['instruction']} {question}"),
    }
    for i, shot in enumerate(data["shots"]):
        fill[f"shot{i + 1}"] = lm.question_prompt(shot["question"]) + shot["answer"] + sep
    return [(tpl["name"], tpl["name_en"], tpl["text"].format(**fill)) for tpl in data["templates"]]


@experiment("prompts", "Engenharia de prompt", "Prompt engineering")
def prompts(ctx: LabContext) -> ExperimentResult:
    lm = ctx.lm()
    data = _prompts()["prompts"]
    max_new = ctx.pick(20, 32)
    per_template: dict[str, dict] = {}
    for q in data["questions"]:
        for name_pt, name_en, prompt in build_prompts(lm, data, q["question"]):
            a = answer(lm, prompt, max_new_tokens=max_new)
            entry = per_template.setdefault(
                name_pt, {"name_en": name_en, "answers": [], "example_prompt": prompt}
            )
            entry["answers"].append(
                {
                    "question": q["question"],
                    "answer": a.text,
                    "mean_prob": a.mean_prob,
                    "correct": keyword_match(a.text, q["keywords"]),
                    "prompt_tokens": a.prompt_tokens,
                }
            )
    for entry in per_template.values():
        entry["accuracy"] = float(np.mean([x["correct"] for x in entry["answers"]]))
        entry["mean_prob"] = float(np.mean([x["mean_prob"] for x in entry["answers"]]))
    names = list(per_template)
    best = max(names, key=lambda n: (per_template[n]["accuracy"], per_template[n]["mean_prob"]))
    worst = min(names, key=lambda n: (per_template[n]["accuracy"], per_template[n]["mean_prob"]))
    m = {
        "templates": per_template,
        "best": best,
        "worst": worst,
        "questions": len(data["questions"]),
    }

    fig, ax = figure(figsize=(10, 4))
    x = np.arange(len(names))
    ax.bar(
        x - 0.2, [per_template[n]["accuracy"] for n in names], 0.4, label=t("acerto", "accuracy")
    )
    ax.bar(
        x + 0.2,
        [per_template[n]["mean_prob"] for n in names],
        0.4,
        label=t("confiança média", "mean confidence"),
    )
    ax.set_xticks(x, [t(n, per_template[n]["name_en"]) for n in names], rotation=20, ha="right")
    ax.set_ylim(0, 1)
    ax.legend()
    ax.set_title(
        t(
            "A mesma pergunta, modelos de prompt diferentes",
            "The same question, different prompt templates",
        )
    )
    plot = save_plot(fig, ctx, "prompts", "templates.png")

    n = len(data["questions"])
    table = md_table(
        [
            t("modelo de prompt", "template"),
            t("acerto", "hits"),
            t("confiança", "confidence"),
            t(
                f'resposta a "{data["questions"][0]["question"]}"',
                f'answer to "{data["questions"][0]["question"]}"',
            ),
        ],
        [
            [
                t(k, v["name_en"]),
                f"{round(v['accuracy'] * n)}/{n}",
                fmt(v["mean_prob"], 2),
                quote(v["answers"][0]["answer"], 90),
            ]
            for k, v in per_template.items()
        ],
    )
    example = per_template[best]["example_prompt"]
    body = (
        t(
            f"{n} perguntas com resposta conhecida, cada uma escrita de {len(names)} formas. "
            "Resposta gulosa.",
            f"{n} questions with a known answer, each written {len(names)} ways. Greedy answer.",
        )
        + "\n\n"
        + table
        + "\n\n"
        + t(
            f'Prompt do melhor modelo ("{best}") para a primeira pergunta:',
            f'Prompt of the best template ("{per_template[best]["name_en"]}") for the first '
            "question:",
        )
        + "\n\n```text\n"
        + example
        + "\n```"
    )
    b, w = per_template[best], per_template[worst]
    if b["accuracy"] == w["accuracy"]:
        return ExperimentResult(
            "prompts",
            m,
            [plot],
            body,
            f"Nenhum formato fez o modelo acertar mais ({round(b['accuracy'] * n)}/{n} em todos), "
            "mas a confiança muda: de "
            f'{w["mean_prob"]:.2f} ("{worst}") a {b["mean_prob"]:.2f} ("{best}") — o formato '
            "muda a distribuição prevista.",
            f"No layout made the model answer better ({round(b['accuracy'] * n)}/{n} for all), but "
            "the confidence moves: from "
            f'{w["mean_prob"]:.2f} ("{w["name_en"]}") to {b["mean_prob"]:.2f} '
            f'("{b["name_en"]}") — the layout changes the predicted distribution.',
        )
    return ExperimentResult(
        "prompts",
        m,
        [plot],
        body,
        f'O melhor modelo de prompt foi "{best}" ({round(b["accuracy"] * n)}/{n} acertos, '
        f"confiança {b['mean_prob']:.2f}); "
        f'o pior, "{worst}" ({round(w["accuracy"] * n)}/{n}, {w["mean_prob"]:.2f}): o formato '
        "que o modelo viu no treino importa.",
        f'The best template was "{b["name_en"]}" ({round(b["accuracy"] * n)}/{n} correct, '
        f"confidence {b['mean_prob']:.2f}); "
        f'the worst, "{w["name_en"]}" ({round(w["accuracy"] * n)}/{n}, {w["mean_prob"]:.2f}): '
        "the layout seen in training matters.",
    )
