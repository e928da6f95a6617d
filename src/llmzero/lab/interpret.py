"""Looking inside the model: attention weights, the geometry of token embeddings, and the logit
lens."""

from __future__ import annotations

import numpy as np
import torch

from llmzero.errors import UserError, t
from llmzero.lab.core import (
    ExperimentResult,
    LabContext,
    experiment,
    fmt,
    load_data,
    md_table,
    save_plot,
)
from llmzero.lab.sampling import token_label
from llmzero.plots import figure

MAX_LAYERS_SHOWN, MAX_HEADS_SHOWN = 6, 6


@torch.no_grad()
def attention_maps(model, ids: list[int]) -> list[torch.Tensor]:
    """Attention weights of every layer, (heads, query, key) each; every row is a distribution over
    earlier tokens."""
    was_training = model.training
    model.eval()
    out = model(torch.tensor([ids]), return_attention=True)
    model.train(was_training)
    return [a[0] for a in out.attentions]


def embedding_pca(model, k: int = 2) -> torch.Tensor:
    """The token embeddings projected on their first ``k`` principal components: (vocab_size, k)."""
    emb = model.tok_emb.weight.detach().float()
    centered = emb - emb.mean(0, keepdim=True)
    # SVD of the centred matrix: the right singular vectors are the principal directions.
    _, _, vh = torch.linalg.svd(centered, full_matrices=False)
    return centered @ vh[:k].T


def nearest_neighbours(
    model, token_id: int, k: int = 5, include_self: bool = False
) -> list[tuple[int, float]]:
    """The ``k`` tokens whose embeddings are closest in cosine similarity: [(id, similarity)],
    closest first."""
    emb = torch.nn.functional.normalize(model.tok_emb.weight.detach().float(), dim=-1)
    sims = emb @ emb[token_id]
    if not include_self:
        sims[token_id] = -float("inf")
    values, indices = torch.topk(sims, min(k, len(sims) - (0 if include_self else 1)))
    return list(zip(indices.tolist(), values.tolist()))


@torch.no_grad()
def logit_lens(model, ids: list[int]) -> torch.Tensor:
    """What each layer would predict: ln_f + lm_head applied to the residual stream after the
    embeddings and after every block. Returns probabilities (n_layer + 1, T, vocab); the last row is
    the model's own output."""
    was_training = model.training
    model.eval()
    idx = torch.tensor([ids])
    positions = torch.arange(len(ids))[None]
    x, rope = model.tok_emb(idx), None
    if model.pos_emb is not None:
        x = x + model.pos_emb(positions)
    else:  # RoPE: the positions act inside each block's attention
        rope = model.rope(positions)
    streams = [x]
    for block in model.blocks:
        x, _ = block(x, rope=rope)
        streams.append(x)
    probs = torch.stack(
        [torch.softmax(model.lm_head(model.ln_f(s))[0].float(), -1) for s in streams]
    )
    model.train(was_training)
    return probs


def _neighbour_queries(tokenizer, words: list[str]) -> list[int]:
    """Token ids for the given words: the word itself when it is one token (with or without a
    leading space)."""
    out = []
    for word in words:
        for text in (" " + word, word):
            ids = tokenizer.encode(text)
            if len(ids) == 1 and ids[0] not in out:
                out.append(ids[0])
                break
    return out


@experiment(
    "interpretability",
    "Interpretabilidade: atenção, embeddings, logit lens",
    "Interpretability: attention, embeddings, logit lens",
)
def interpretability(ctx: LabContext) -> ExperimentResult:
    lm = ctx.lm()
    model, tok = lm.model, lm.tokenizer
    data = load_data("prompts_ptbr.json")["interpretability"]
    ids = tok.encode(data["prompt"])[-model.config.context_length :]
    if len(ids) < 2:
        raise UserError(
            "o prompt precisa de ao menos 2 tokens.", "the prompt needs at least 2 tokens."
        )
    labels = [token_label(tok, i) for i in ids]
    plots = []

    # Attention heatmaps: one panel per (layer, head).
    maps = attention_maps(model, ids)
    n_layers, n_heads = min(len(maps), MAX_LAYERS_SHOWN), min(maps[0].shape[0], MAX_HEADS_SHOWN)
    fig, axes = figure(
        n_layers, n_heads, figsize=(2.6 * n_heads + 1, 2.6 * n_layers + 1), squeeze=False
    )
    for layer in range(n_layers):
        for head in range(n_heads):
            ax = axes[layer][head]
            ax.imshow(maps[layer][head].numpy(), cmap="viridis", vmin=0, vmax=1)
            ax.set_title(
                t(f"camada {layer} · cabeça {head}", f"layer {layer} · head {head}"), fontsize=8
            )
            small = len(ids) <= 24
            ax.set_xticks(
                range(len(ids)), labels if small else [""] * len(ids), rotation=90, fontsize=6
            )
            ax.set_yticks(range(len(ids)), labels if small else [""] * len(ids), fontsize=6)
    fig.suptitle(
        t(
            "Atenção: linha = token que olha, coluna = token olhado",
            "Attention: row = token looking, column = token looked at",
        )
    )
    plots.append(save_plot(fig, ctx, "interpretability", "attention.png"))
    # Where the last token looks, per layer (mean over heads), and how spread each head is.
    last_row = [m[:, -1, :].mean(0) for m in maps]
    entropy = [float(-(m * torch.log(m.clamp_min(1e-12))).sum(-1).mean()) for m in maps]
    top_attended = [labels[int(r.argmax())] for r in last_row]

    # Embeddings: 2-D PCA and nearest neighbours.
    coords = embedding_pca(model, 2).numpy()
    counts = np.bincount(
        np.asarray(tok.encode(ctx.corpus()[:50000])), minlength=model.config.vocab_size
    )
    frequent = [int(i) for i in np.argsort(-counts)[:40] if counts[i] > 0]
    fig, ax = figure(figsize=(8, 6))
    ax.scatter(coords[:, 0], coords[:, 1], s=4, color="lightgray")
    for i in frequent:
        ax.annotate(token_label(tok, i), (coords[i, 0], coords[i, 1]), fontsize=7)
    queries = _neighbour_queries(tok, data["neighbour_words"]) or frequent[:5]
    for i in queries:
        ax.scatter(coords[i, 0], coords[i, 1], s=30, color="tab:red")
        ax.annotate(token_label(tok, i), (coords[i, 0], coords[i, 1]), fontsize=9, color="tab:red")
    ax.set_title(
        t(
            "Embeddings dos tokens: 2 componentes principais (PCA)",
            "Token embeddings: 2 principal components (PCA)",
        )
    )
    plots.append(save_plot(fig, ctx, "interpretability", "embeddings_pca.png"))
    neighbours = {
        token_label(tok, q): [
            (token_label(tok, i), round(s, 3)) for i, s in nearest_neighbours(model, q, 5)
        ]
        for q in queries
    }

    # Logit lens: the top prediction of every layer at every position.
    probs = logit_lens(model, ids)
    top_p, top_i = probs.max(-1)  # (layers+1, T)
    final_top = int(top_i[-1, -1])
    fig, ax = figure(figsize=(max(6, 0.7 * len(ids)), 0.5 * probs.shape[0] + 2))
    ax.imshow(top_p.numpy(), cmap="Blues", vmin=0, vmax=1, aspect="auto")
    for layer in range(probs.shape[0]):
        for pos in range(len(ids)):
            ax.text(
                pos,
                layer,
                token_label(tok, int(top_i[layer, pos]))[:6],
                ha="center",
                va="center",
                fontsize=6,
                color="white" if top_p[layer, pos] > 0.5 else "black",
            )
    ax.set_xticks(range(len(ids)), labels, rotation=90, fontsize=7)
    ax.set_yticks(
        range(probs.shape[0]),
        [t("embeddings", "embeddings")]
        + [t(f"após bloco {i}", f"after block {i}") for i in range(probs.shape[0] - 1)],
        fontsize=7,
    )
    ax.set_title(
        t(
            "Logit lens: o token mais provável segundo cada camada (cor = probabilidade)",
            "Logit lens: the most probable token according to each layer (colour = probability)",
        )
    )
    plots.append(save_plot(fig, ctx, "interpretability", "logit_lens.png"))
    # Probability of the final answer token at the last position, layer by layer.
    final_prob_by_layer = [float(probs[layer, -1, final_top]) for layer in range(probs.shape[0])]
    first_layer = next(
        layer for layer in range(probs.shape[0]) if int(top_i[layer, -1]) == final_top
    )

    m = {
        "prompt": data["prompt"],
        "tokens": labels,
        "attention_entropy": entropy,
        "last_token_attends": top_attended,
        "neighbours": neighbours,
        "pca_shape": list(coords.shape),
        "logit_lens_last": [token_label(tok, int(i)) for i in top_i[:, -1]],
        "final_token": token_label(tok, final_top),
        "final_prob_by_layer": final_prob_by_layer,
        "first_layer_with_final": first_layer,
    }
    nb_table = md_table(
        ["token", t("vizinhos mais próximos (cosseno)", "nearest neighbours (cosine)")],
        [[f"`{q}`", ", ".join(f"`{w}` {s:.2f}" for w, s in ns)] for q, ns in neighbours.items()],
    )
    lens_table = md_table(
        [
            t("camada", "layer"),
            t("previsão no último token", "prediction at the last token"),
            t(f"p(`{m['final_token']}`)", f"p(`{m['final_token']}`)"),
        ],
        [
            [
                t("embeddings", "embeddings")
                if i == 0
                else t(f"após bloco {i - 1}", f"after block {i - 1}"),
                f"`{w}`",
                fmt(final_prob_by_layer[i], 3),
            ]
            for i, w in enumerate(m["logit_lens_last"])
        ],
    )
    att = ", ".join(f"{i}: `{w}`" for i, w in enumerate(top_attended))
    body = (
        t(
            f"Prompt: `{data['prompt']}` ({len(ids)} tokens). **Atenção**: cada linha de cada mapa "
            "soma 1 (o token distribui "
            f"sua atenção entre os anteriores); o último token olha mais para, por camada, {att}. "
            "Entropia média da atenção "
            f"por camada: {', '.join(f'{e:.2f}' for e in entropy)} nats.",
            f"Prompt: `{data['prompt']}` ({len(ids)} tokens). **Attention**: every row of every "
            "map sums to 1 (the token spreads "
            "its attention over the earlier ones); the last token looks most at, per layer, "
            f"{att}. Mean attention entropy "
            f"per layer: {', '.join(f'{e:.2f}' for e in entropy)} nats.",
        )
        + "\n\n"
        + t(
            "**Embeddings**: a matriz de embeddings (uma linha por token) projetada nas 2 direções "
            "de maior variância "
            "(SVD da matriz centrada); vizinhos pelo cosseno, sem o próprio token:",
            "**Embeddings**: the embedding matrix (one row per token) projected on its 2 "
            "directions "
            "of largest variance "
            "(SVD of the centred matrix); neighbours by cosine, the token itself excluded:",
        )
        + "\n\n"
        + nb_table
        + "\n\n"
        + t(
            "**Logit lens**: a norma final (ln_f) e a camada de saída aplicadas ao fluxo residual "
            "depois de cada bloco mostram "
            'o que o modelo "diria" se parasse ali; a última linha é a previsão do próprio modelo.',
            "**Logit lens**: the final norm (ln_f) and the output layer applied to the residual "
            "stream after each block show "
            'what the model would "say" if it stopped there; the last row is the model\'s own '
            "prediction.",
        )
        + "\n\n"
        + lens_table
    )
    first_name_pt = "nos embeddings" if first_layer == 0 else f"após o bloco {first_layer - 1}"
    first_name_en = "in the embeddings" if first_layer == 0 else f"after block {first_layer - 1}"
    q0 = next(iter(neighbours), None)
    nb_pt = f"; o vizinho mais próximo de `{q0}` é `{neighbours[q0][0][0]}`" if q0 else ""
    nb_en = f"; the nearest neighbour of `{q0}` is `{neighbours[q0][0][0]}`" if q0 else ""
    return ExperimentResult(
        "interpretability",
        m,
        plots,
        body,
        f"Pelo logit lens, a previsão final `{m['final_token']}` aparece primeiro {first_name_pt} "
        "e sua probabilidade vai de "
        f"{final_prob_by_layer[0]:.2f} (embeddings) a {final_prob_by_layer[-1]:.2f} "
        f"(saída){nb_pt}.",
        f"Through the logit lens, the final prediction `{m['final_token']}` first shows up "
        f"{first_name_en} and its probability "
        f"goes from {final_prob_by_layer[0]:.2f} (embeddings) to {final_prob_by_layer[-1]:.2f} "
        f"(output){nb_en}.",
    )
