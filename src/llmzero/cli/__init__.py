# PYTHON_ARGCOMPLETE_OK (argcomplete's global completion looks for this mark in the entry point's
# module; see `autocomplete` below)
"""The `llmzero` command. Thin on purpose: parse the flags, call the library, print the result.

``VERBS`` below is the one table of every verb. Each verb module holds, per verb, the function that
adds its flags and its handler; handlers import the library (and so torch) inside their bodies, so
that building the parser (`llmzero --help`) stays fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Callable, NamedTuple

from llmzero import errors
from llmzero.cli import (
    agents,
    align,
    chat,
    core,
    data,
    evaluate,
    finetune,
    interop,
    journey,
    lab,
    models,
    rag,
    scale,
    serve,
)
from llmzero.cli.args import (
    Parser,
    Verbatim,
    add_task,
    argparse_words,
    examples_epilog,
    lang_parent,
    pre_lang,
    resolve_model_args,
)
from llmzero.errors import UserError, set_lang, t


class Verb(NamedTuple):
    """One verb: the function adding its flags, its handler, its help (pt, en) and the examples
    closing its --help: (command, pt, en) triples, the command the same in both languages. A test
    parses every example with the real parser."""

    flags: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    help_pt: str
    help_en: str
    examples: tuple[tuple[str, str, str], ...] = ()


# Every verb of `llmzero`, in --help order: name -> (flags, handler, help pt, help en, examples).
# A dict is a group of sub-verbs (`llmzero eval perplexity`); a group's own help is in args.GROUPS,
# its examples are the first of each sub-verb.
# fmt: off
VERBS: dict[str, Verb | dict[str, Verb]] = {
    "tokenize": Verb(core.add_tokenize, core.tokenize_command,
        "mostra os tokens e ids de um texto",
        "show a text's tokens and ids", (
        ('llmzero tokenize "A inteligência artificial aprende com exemplos." --tokenizer bpe',
            "os tokens de um BPE treinado no corpus embarcado",
            "the tokens of a BPE trained on the shipped corpus"),
        ("llmzero tokenize --file texto.txt --tokenizer runs/llmzero --json",
            "os tokens de um arquivo com o tokenizador de um modelo, em JSON",
            "a file's tokens with a model's tokenizer, as JSON"),
    )),
    "prepare": Verb(core.add_prepare, core.prepare_command,
        "tokeniza um corpus uma vez num arquivo de tokens mapeado em memória",
        "tokenize a corpus once into a memory-mapped token file", (
        ("llmzero prepare --out dados/tokens.bin",
            "o corpus embarcado, um token por caractere",
            "the shipped corpus, one token a character"),
        ("llmzero prepare --data corpus.txt --tokenizer bpe --vocab-size 2048 "
            "--out dados/tokens.bin",
            "um corpus seu, com um BPE de 2048 tokens; treine com --data dados/tokens.bin",
            "your own corpus, with a 2048-token BPE; train with --data dados/tokens.bin"),
    )),
    "train": Verb(core.add_train, core.train_command,
        "pré-treina um GPT (sem argumentos: no corpus pt-BR embarcado)",
        "pre-train a GPT (no arguments: on the shipped pt-BR corpus)", (
        ("llmzero train",
            "o preset tiny no corpus pt-BR embarcado, em runs/llmzero",
            "the tiny preset on the shipped pt-BR corpus, in runs/llmzero"),
        ("llmzero train --time-budget 300 --out runs/5min",
            "para depois de 5 minutos, com o cosseno ajustado ao tempo",
            "stop after 5 minutes, the cosine fitted to the time"),
        ("llmzero train --out runs/5min --resume --max-steps 4000",
            "continua exatamente de onde parou",
            "continue exactly where it stopped"),
    )),
    "generate": Verb(core.add_generate, core.generate_command,
        "continua um texto com um modelo treinado",
        "continue a text with a trained model", (
        ('llmzero generate --model runs/llmzero "A fotossíntese" --temperature 0.8 --top-k 40',
            "continua um texto, sorteando entre os 40 tokens mais prováveis",
            "continue a text, sampling among the 40 likeliest tokens"),
        ('llmzero generate --model runs/llmzero "Era uma vez" --temperature 0 --json',
            "a continuação mais provável, em JSON",
            "the likeliest continuation, as JSON"),
        ('llmzero generate --model runs/calc "Conta: 7 caixas de 12 lápis:" --temperature 0 '
            "--tools calc",
            "com a calculadora: cada <calc>7*12</calc> escrito ganha =84 antes de seguir",
            "with the calculator: each <calc>7*12</calc> written gets =84 before it goes on"),
    )),
    "info": Verb(core.add_info, core.info_command,
        "mostra o ambiente, os presets e um modelo",
        "show the environment, the presets and a model", (
        ("llmzero info",
            "as versões, o dispositivo e os presets",
            "the versions, the device and the presets"),
        ("llmzero info --model runs/llmzero --json",
            "a forma e o tamanho de um modelo treinado, em JSON",
            "a trained model's shape and size, as JSON"),
    )),
    "finetune": {
        "classify": Verb(finetune.add_finetune_classify, finetune.finetune_classify_command,
            "transforma um GPT pré-treinado num classificador de textos",
            "turn a pre-trained GPT into a text classifier", (
            ("llmzero finetune classify --base runs/llmzero --out runs/spam",
                "um classificador de spam nos dados embarcados",
                "a spam classifier on the shipped data"),
            ("llmzero finetune classify --base runs/llmzero --out runs/spam-lora --lora-rank 8",
                "o mesmo, treinando só adaptadores LoRA",
                "the same, training only LoRA adapters"),
            ("llmzero finetune classify --base runs/llmzero --data notas.csv --train all "
                "--out runs/notas",
                "um CSV seu (text, label), treinando o modelo inteiro",
                "your own CSV (text, label), training the whole model"),
        )),
        "instruct": Verb(finetune.add_finetune_instruct, finetune.finetune_instruct_command,
            "ensina um GPT pré-treinado a seguir instruções",
            "teach a pre-trained GPT to follow instructions", (
            ("llmzero finetune instruct --base runs/llmzero --out runs/instrucoes",
                "as instruções pt-BR embarcadas",
                "the shipped pt-BR instructions"),
            ("llmzero finetune instruct --base models/gpt2-124M --data alpaca.json "
                "--template alpaca --time-budget 600 --out runs/alpaca",
                "o GPT-2 baixado, em dados no formato Alpaca, por 10 minutos",
                "the downloaded GPT-2, on Alpaca-format data, for 10 minutes"),
        )),
    },
    "align": {
        "dpo": Verb(align.add_dpo, align.dpo_command,
            "alinha um modelo ajustado com DPO em pares de preferência",
            "align an instruction-tuned model with DPO on preference pairs", (
            ("llmzero align dpo --base runs/instrucoes --out runs/dpo",
                "DPO nos pares pt-BR embarcados",
                "DPO on the shipped pt-BR pairs"),
            ("llmzero align dpo --base runs/instrucoes --data pares.jsonl --beta 0.2 "
                "--out runs/dpo",
                "pares seus; um beta maior deixa o modelo mais perto do SFT",
                "your own pairs; a larger beta keeps the model nearer the SFT one"),
        )),
        "reward": Verb(align.add_reward, align.reward_command,
            "treina um modelo de recompensa (Bradley–Terry) nos pares de preferência",
            "train a reward model (Bradley–Terry) on preference pairs", (
            ("llmzero align reward --base runs/instrucoes --out runs/recompensa",
                "um modelo de recompensa nos pares embarcados",
                "a reward model on the shipped pairs"),
            ("llmzero align reward --base runs/instrucoes --data pares.jsonl --pooling mean "
                "--out runs/recompensa",
                "pares seus; a cabeça lê a média dos tokens",
                "your own pairs; the head reads the mean of the tokens"),
        )),
        "rl": Verb(align.add_rl, align.rl_command,
            "reforça um modelo com RL (estilo GRPO) contra uma recompensa verificável ou aprendida",
            "reinforce a model with RL (GRPO-style) against a verifiable or learned reward", (
            ("llmzero align rl --base runs/instrucoes --out runs/rl",
                "contas em pt-BR, conferidas exatamente",
                "pt-BR sums, checked exactly"),
            ("llmzero align rl --base runs/instrucoes --reward runs/recompensa --max-steps 50 "
                "--out runs/rl-rm",
                "contra um modelo de recompensa, por 50 passos",
                "against a reward model, for 50 steps"),
        )),
        "pairs": Verb(align.add_pairs, align.pairs_command,
            "cria pares de preferência com as respostas do próprio modelo, ordenadas por um juiz",
            "make preference pairs from the model's own answers, ranked by a judge", (
            ("llmzero align pairs --model runs/instrucoes --prompts contas.txt --arithmetic "
                "--out pares.jsonl",
                "contas (uma por linha) conferidas exatamente",
                "sums (one a line) checked exactly"),
            ("llmzero align pairs --model runs/instrucoes --prompts perguntas.txt "
                "--reward-model runs/recompensa --out pares.jsonl",
                "ordenadas por um modelo de recompensa",
                "ranked by a reward model"),
            ("llmzero align pairs --model runs/instrucoes --prompts perguntas.txt "
                "--judge-url http://localhost:11434 --judge-model llama3.1:8b --out pares.jsonl",
                "ordenadas por um juiz no Ollama (uma chave, se preciso, em "
                "LLMZERO_JUDGE_API_KEY)",
                "ranked by a judge on Ollama (a key, if needed, in LLMZERO_JUDGE_API_KEY)"),
        )),
    },
    "classify": Verb(finetune.add_classify, finetune.classify_command,
        "classifica um texto com um modelo ajustado",
        "classify a text with a fine-tuned model", (
        ('llmzero classify --model runs/spam "Você ganhou um prêmio! Clique aqui."',
            "a classe de um texto e as probabilidades",
            "a text's class and the probabilities"),
        ('llmzero classify --model runs/spam --json "A reunião é amanhã às 10h."',
            "o mesmo, em JSON",
            "the same, as JSON"),
    )),
    "chat": Verb(chat.add_chat, chat.chat_command,
        "conversa com um modelo ajustado por instruções",
        "chat with an instruction-tuned model", (
        ("llmzero chat --model runs/instrucoes",
            "conversa no terminal",
            "chat in the terminal"),
        ('llmzero chat --model runs/instrucoes --system "Responda em uma frase." '
            "--temperature 0.3",
            "com um prompt de sistema e menos acaso",
            "with a system prompt and less randomness"),
        ("llmzero chat --model runs/calc --tools calc,busca --index runs/indice.sqlite",
            "o modelo pode chamar a calculadora e a busca; as chamadas ficam na conversa",
            "the model may call the calculator and the search; the calls stay in the chat"),
    )),
    "ask": Verb(chat.add_ask, chat.ask_command,
        "faz uma pergunta a um modelo ajustado e mostra a resposta",
        "ask an instruction-tuned model one question and show the answer", (
        ('llmzero ask --model runs/instrucoes "Qual é a capital do Brasil?"',
            "uma pergunta; a resposta mais provável",
            "one question; the likeliest answer"),
        ('llmzero ask --model runs/instrucoes "Traduza para o inglês." --input "bom dia" --json',
            "uma instrução com entrada, em JSON",
            "an instruction with an input, as JSON"),
        ('llmzero ask --model runs/calc "Quanto é 15% de 240?" --tools calc --json',
            "com a calculadora, em JSON (com a lista das chamadas)",
            "with the calculator, as JSON (with the list of calls)"),
    )),
    "eval": {
        "perplexity": Verb(evaluate.add_perplexity, evaluate.perplexity_command,
            "perplexidade de um modelo num texto (janela deslizante)",
            "a model's perplexity on a text (sliding window)", (
            ("llmzero eval perplexity --model runs/llmzero --data texto.txt",
                "a perplexidade num texto (menor é melhor)",
                "the perplexity on a text (lower is better)"),
            ("llmzero eval perplexity --model runs/llmzero --data texto.txt --stride 32 --json",
                "janelas mais sobrepostas (mais lento, mais justo), em JSON",
                "windows that overlap more (slower, fairer), as JSON"),
        )),
        "responses": Verb(evaluate.add_responses, evaluate.responses_command,
            "compara respostas geradas com as de referência",
            "compare generated answers with the reference answers", (
            ("llmzero eval responses --file runs/instrucoes/test_responses.jsonl",
                "ROUGE-L, BLEU e chrF das respostas do teste do ajuste",
                "ROUGE-L, BLEU and chrF of the fine-tuning's test answers"),
            ("llmzero eval responses --file respostas.jsonl --judge-url http://localhost:11434 "
                "--judge-model llama3.1:8b",
                "e a nota de um juiz no Ollama (uma chave, se preciso, em LLMZERO_JUDGE_API_KEY)",
                "and a judge's score, on Ollama (a key, if needed, in LLMZERO_JUDGE_API_KEY)"),
            ("llmzero eval responses --file respostas.jsonl --embeddings --out notas.json",
                "com a similaridade de embeddings, salvo num JSON",
                "with the embedding similarity, saved to a JSON file"),
        )),
        "classify": Verb(evaluate.add_classify, evaluate.classify_command,
            "acurácia, precisão, revocação, F1 e matriz de confusão de um classificador",
            "a classifier's accuracy, precision, recall, F1 and confusion matrix", (
            ("llmzero eval classify --model runs/spam",
                "no teste dos dados embarcados",
                "on the shipped data's test split"),
            ("llmzero eval classify --model runs/spam --data notas.csv --split all "
                "--confusion matriz.png",
                "em todo um CSV seu, com a matriz de confusão numa imagem",
                "on the whole of your own CSV, with the confusion matrix as an image"),
        )),
        "bench": Verb(evaluate.add_bench, evaluate.bench_command,
            "roda tarefas do lm-evaluation-harness num modelo (a suíte pt-BR ou públicas), com "
            "acaso e intervalos de confiança",
            "run lm-evaluation-harness tasks on a model (the pt-BR suite or public ones), with "
            "chance and confidence intervals", (
            ("llmzero eval bench --model runs/llmzero",
                "a suíte pt-BR embarcada (completar, última palavra, spam, instruções)",
                "the shipped pt-BR suite (endings, last word, spam, instructions)"),
            ("llmzero eval bench --model runs/llmzero --tasks ptbr_completar,ptbr_ultima_palavra "
                "--limit 100 --json",
                "duas tarefas, só 100 documentos de cada, em JSON",
                "two tasks, only 100 documents of each, as JSON"),
            ("llmzero eval bench --model models/qwen --tasks hellaswag_pt,belebele_por_Latn "
                "--num-fewshot 5",
                "tarefas públicas em português (baixa os dados do Hugging Face)",
                "public Portuguese tasks (downloads the data from Hugging Face)"),
        )),
    },
    "import": Verb(interop.add_import, interop.import_command,
        "converte uma pasta do Hugging Face (Llama, Qwen2, Qwen3, GPT-2) num checkpoint do llmzero",
        "convert a Hugging Face folder (Llama, Qwen2, Qwen3, GPT-2) into an llmzero checkpoint", (
        ("llmzero import hf pesos/qwen3 --out models/qwen3",
            "config.json, os safetensors (ou pedaços) e o tokenizer.json de um Llama ou Qwen",
            "config.json, the safetensors (or shards) and tokenizer.json of a Llama or Qwen"),
        ("llmzero import gpt2 pesos/gpt2 --out models/gpt2",
            "uma pasta com config.json, model.safetensors e o vocabulário do GPT-2",
            "a folder with config.json, model.safetensors and the GPT-2 vocabulary"),
        ("llmzero import gpt2 pesos/gpt2 --tokenizer vocab/gpt2 --out models/gpt2 --overwrite",
            "o vocabulário (encoder.json, vocab.bpe) noutra pasta; substitui --out",
            "the vocabulary (encoder.json, vocab.bpe) in another folder; replaces --out"),
    )),
    "export": Verb(interop.add_export, interop.export_command,
        "exporta um modelo para o Hugging Face (hf) ou o llama.cpp (gguf)",
        "export a model for Hugging Face (hf) or llama.cpp (gguf)", (
        ("llmzero export hf runs/instrucoes --out exportado/hf",
            "uma pasta que o transformers carrega",
            "a folder transformers loads"),
        ("llmzero export gguf runs/instrucoes --out modelo.gguf --dtype f16",
            "um arquivo para o llama.cpp, em meia precisão",
            "a file for llama.cpp, in half precision"),
    )),
    "download": Verb(interop.add_download, interop.download_command,
        "baixa um modelo do Hugging Face (gpt2 com somas fixadas, ou Llama/Qwen pelo id) e o "
        "converte num checkpoint",
        "download a Hugging Face model (gpt2 with pinned sums, or Llama/Qwen by repo id) and "
        "convert it into a checkpoint", (
        ("llmzero download gpt2",
            "o GPT-2 de 124M, conferido e convertido",
            "the 124M GPT-2, checked and converted"),
        ("llmzero download gpt2 --size 355M --out models/gpt2-medio",
            "o de 355M, numa pasta escolhida",
            "the 355M one, into a folder of your choice"),
        ("llmzero download Qwen/Qwen3-0.6B --out models/qwen3",
            "um modelo aberto pelo id (fixe a versão com --revision COMMIT)",
            "an open model by repo id (pin the version with --revision COMMIT)"),
    )),
    "serve": Verb(serve.add_serve, serve.serve_command,
        "serve modelos numa API compatível com a da OpenAI, com lotes contínuos e o estúdio",
        "serve models through an OpenAI-compatible API, with continuous batching and the studio", (
        ("llmzero serve --model runs/instrucoes",
            "a API em http://127.0.0.1:8000/v1, só para este computador",
            "the API at http://127.0.0.1:8000/v1, for this computer only"),
        ("llmzero serve --model runs/instrucoes --model runs/dpo --port 9000",
            "dois modelos (o primeiro é o padrão) noutra porta",
            "two models (the first is the default) on another port"),
        ("llmzero serve --model chat:prod --host 0.0.0.0",
            "para a rede, pelo apelido do registro (a chave em LLMZERO_API_KEY)",
            "for the network, by registry alias (the key in LLMZERO_API_KEY)"),
    )),
    "studio": Verb(serve.add_studio, serve.studio_command,
        "abre uma página local para brincar com um modelo: geração, chat, probabilidades, atenção",
        "open a local page to play with a model: generation, chat, probabilities, attention", (
        ("llmzero studio --model runs/llmzero",
            "abre o estúdio no navegador",
            "open the studio in the browser"),
        ("llmzero studio --model runs/instrucoes --model runs/dpo --no-browser",
            "dois modelos lado a lado; o endereço aparece no terminal",
            "two models side by side; the address shows in the terminal"),
    )),
    "quantize": Verb(scale.add_quantize, scale.quantize_command,
        "salva uma cópia int8 de um modelo: 4× menor; mais rápida só nos passos limitados pela "
        "memória de modelos grandes (em modelos pequenos, mais lenta)",
        "save an int8 copy of a model: 4× smaller; faster only on the memory-bound steps of large "
        "models (slower on small ones)", (
        ("llmzero quantize runs/instrucoes --out runs/instrucoes-int8",
            "uma cópia int8 de um modelo",
            "an int8 copy of a model"),
        ("llmzero quantize models/gpt2-124M --out models/gpt2-int8 --keep-embeddings "
            "--register gpt2-int8",
            "mantém a tabela de tokens em float e registra o resultado",
            "keep the token table in float and register the result"),
    )),
    "journey": Verb(journey.add_journey, journey.journey_command,
        "a série inteira num comando: tokenizador → pré-treino → spam → instruções → DPO → "
        "avaliação → chat → laboratório",
        "the whole series in one command: tokenizer → pre-training → spam → instructions → DPO → "
        "evaluation → chat → lab", (
        ("llmzero journey",
            "a série inteira em runs/journey (os treinos levam uns 8 minutos)",
            "the whole series in runs/journey (the training takes about 8 minutes)"),
        ("llmzero journey --quick --out runs/rapida",
            "modelos mínimos, em menos de 2 minutos",
            "minimal models, in under 2 minutes"),
    )),
    "lab": Verb(lab.add_lab, lab.lab_command,
        "laboratório do capítulo 08: experimentos com gráficos e relatório",
        "the chapter-08 lab: experiments with plots and a report", (
        ("llmzero lab list",
            "os experimentos",
            "the experiments"),
        ("llmzero lab temperature --quick",
            "um experimento, em minutos",
            "one experiment, in minutes"),
        ("llmzero lab all --model runs/instrucoes --out runs/lab",
            "todos, com um modelo seu; o relatório em runs/lab",
            "all of them, with a model of yours; the report in runs/lab"),
    )),
    "data": {
        "fetch": Verb(data.add_fetch, data.fetch_command,
            "baixa dados brutos: um dump da Wikipédia, um dataset em parquet ou uma lista de URLs",
            "download raw data: a Wikipedia dump, a parquet dataset or a list of URLs", (
            ("llmzero data fetch wikipedia --out dados/wiki-pt",
             "o dump mais recente da Wikipédia em português, conferido pela soma publicada",
             "the latest Portuguese Wikipedia dump, checked against its published sum"),
            ("llmzero data fetch hf:OWNER/NAME --split train --out dados/hf",
             "os arquivos parquet da divisão train de um dataset do Hugging Face",
             "the parquet files of a Hugging Face dataset's train split"),
            ("llmzero data fetch urls.txt --out dados/web",
             "cada URL da lista (`URL` ou `URL SHA256` por linha); rodar de novo continua",
             "each URL of the list (`URL` or `URL SHA256` per line); running again resumes"),
        )),
        "clean": Verb(data.add_clean, data.clean_command,
            "limpa documentos: extrai texto, conserta Unicode, filtra idioma e qualidade, tira PII",
            "clean documents: extract text, fix Unicode, filter language and quality, scrub PII", (
            ("llmzero data clean dados/wiki-pt --out dados/limpo",
             "o dump baixado por `data fetch`: só artigos em português, filtrados e sem PII",
             "the dump `data fetch` downloaded: Portuguese articles only, filtered, PII scrubbed"),
            ("llmzero data clean textos/ --out dados/limpo --languages pt en --workers 2",
             "uma pasta de .txt/.md/.html, mantendo português e inglês, com 2 processos",
             "a folder of .txt/.md/.html, keeping Portuguese and English, with 2 processes"),
            ("llmzero data clean dados/hf --text-key content --out dados/limpo",
             "arquivos parquet cujo texto está na coluna content",
             "parquet files whose text is in the content column"),
        )),
        "dedup": Verb(data.add_dedup, data.dedup_command,
            "tira documentos repetidos: iguais e quase iguais (MinHash)",
            "remove repeated documents: exact and near duplicates (MinHash)", (
            ("llmzero data dedup dados/limpo --out dados/unico",
             "tira cópias exatas e quase cópias; as removidas ficam em dados/unico/removed",
             "remove exact and near copies; the removed ones stay in dados/unico/removed"),
            ("llmzero data dedup dados/limpo --out dados/unico --threshold 0.8 --ngram 3",
             "só junta documentos mais parecidos, comparando trigramas de palavras",
             "only merge more similar documents, comparing word trigrams"),
        )),
        "stats": Verb(data.add_stats, data.stats_command,
            "descreve um corpus e cada passo que o fez, num relatório com gráficos",
            "describe a corpus and each step that made it, in a report with plots", (
            ("llmzero data stats dados/unico --out relatorio",
             "o relatório de todos os passos até aqui, com gráficos (relatorio/report.html)",
             "the report of every step so far, with plots (relatorio/report.html)"),
            ("llmzero data stats dados/limpo dados/unico --json",
             "os números de duas pastas em JSON",
             "the numbers of two folders as JSON"),
        )),
        "shard": Verb(data.add_shard, data.shard_command,
            "tokeniza documentos em paralelo em fragmentos de tokens para o `train`",
            "tokenize documents in parallel into token shards for `train`", (
            ("llmzero data shard corpus/dedup --out corpus/shards --tokenizer bpe "
             "--vocab-size 8192",
             "um BPE treinado numa amostra, todos os núcleos; depois `llmzero train --data "
             "corpus/shards`",
             "a BPE trained on a sample, all cores; then `llmzero train --data corpus/shards`"),
            ("llmzero data shard textos/ --out shards --tokenizer runs/llmzero --workers 2",
             "com o tokenizador de um modelo, para continuar o treino dele",
             "with a model's tokenizer, to go on training it"),
        )),
    },
    "rag": {
        "index": Verb(rag.add_index, rag.index_command,
            "indexa documentos (.txt, .md, .html) num arquivo SQLite: trechos, BM25 e vetores",
            "index documents (.txt, .md, .html) into one SQLite file: chunks, BM25 and vectors", (
            ("llmzero rag index documentos/ --out runs/indice.sqlite",
                "uma pasta inteira; rodar de novo só refaz os arquivos mudados",
                "a whole folder; running it again redoes only the changed files"),
            ("llmzero rag index notas.md manual.html --out runs/indice.sqlite --chunk-chars 400 "
                "--overlap-chars 100",
                "dois arquivos, em trechos menores",
                "two files, in smaller chunks"),
            ("llmzero rag index documentos/ --out runs/bm25.sqlite --no-vectors --json",
                "só BM25 (sem o modelo de embeddings), o resumo em JSON",
                "BM25 only (no embedding model), the summary as JSON"),
        )),
        "search": Verb(rag.add_search, rag.search_command,
            "busca os trechos mais próximos de uma consulta, com fonte e pontuação",
            "find the passages closest to a query, with source and score", (
            ('llmzero rag search runs/indice.sqlite "Quando abriu a biblioteca?"',
                "os 5 melhores trechos pela busca híbrida (BM25 + densa)",
                "the 5 best passages by hybrid search (BM25 + dense)"),
            ('llmzero rag search runs/indice.sqlite "energia do sol" --retriever dense --k 3 '
                "--json",
                "só a busca densa, 3 trechos, em JSON",
                "dense search only, 3 passages, as JSON"),
        )),
        "ask": Verb(rag.add_ask, rag.ask_command,
            'responde uma pergunta com os trechos encontrados, citando-os [1], ou "não sei"',
            "answer a question from the retrieved passages, citing them [1], or \"I don't know\"",
            (
            ('llmzero rag ask runs/indice.sqlite "Quando abriu a biblioteca?" '
                "--model runs/instrucoes",
                "a resposta e os trechos citados",
                "the answer and the passages it cites"),
            ('llmzero rag ask runs/indice.sqlite "Qual é a capital da Mongólia?" '
                "--model runs/instrucoes --show-context --threshold 0.5",
                'mostra o que foi buscado; um limiar maior diz "não sei" mais vezes',
                "show what was retrieved; a higher threshold says \"I don't know\" more often"),
        )),
        "eval": Verb(rag.add_eval, rag.eval_command,
            "mede a busca (recall@1/5, MRR) e, com um modelo, as respostas com e sem busca",
            "measure retrieval (recall@1/5, MRR) and, with a model, answers with and without it",
            (
            ("llmzero rag eval runs/indice.sqlite",
                "as perguntas embarcadas (parte eval), num índice dos documentos rag_ptbr",
                "the shipped questions (eval part), on an index of the rag_ptbr documents"),
            ("llmzero rag eval runs/indice.sqlite --model runs/instrucoes --out runs/rag-eval",
                "também as respostas do modelo com e sem busca; relatório e figura",
                "the model's answers with and without retrieval too; report and picture"),
            ("llmzero rag eval runs/meu.sqlite --questions perguntas.jsonl --json",
                "perguntas suas, em JSON",
                "your own questions, as JSON"),
        )),
    },
    "agents": {
        "run": Verb(agents.add_run, agents.run_command,
            "roda um pipeline de agentes (planejador, pesquisador, redator, crítico) numa tarefa",
            "run a pipeline of agents (planner, researcher, writer, critic) on a task", (
            ('llmzero agents run pesquisa --model runs/instrucoes --index runs/indice.sqlite '
                '--task "Quando abriu a Biblioteca Municipal de Itaperuna Nova?"',
                "o pipeline embarcado, todos os papéis no mesmo modelo local",
                "the shipped pipeline, every role on the same local model"),
            ('llmzero agents run pesquisa --endpoint http://localhost:11434 --api-model '
                'qwen2.5:3b --index runs/indice.sqlite --task "O que é o Pantanal?"',
                "os papéis num modelo maior servido pelo Ollama",
                "the roles on a bigger model served by Ollama"),
            ('llmzero agents run meu_pipeline.toml --task "Resuma a lei de Ohm" --max-turns 4 '
                "--out runs/ohm --json",
                "um pipeline seu, no máximo 4 turnos, o resultado em JSON",
                "a pipeline of yours, at most 4 turns, the outcome as JSON"),
        )),
        "ask": Verb(agents.add_ask, agents.ask_command,
            "responde uma pergunta com um modelo que pode chamar ferramentas (calc, busca)",
            "answer a question with a model that may call tools (calc, busca)", (
            ('llmzero agents ask --model runs/calc "Cada caixa tem 12 lápis. Quantos lápis há '
                'em 7 caixas?"',
                "o modelo escreve <calc>7*12</calc> e o programa insere =84",
                "the model writes <calc>7*12</calc> and the runtime inserts =84"),
            ('llmzero agents ask --model runs/instrucoes --tools busca --index '
                'runs/indice.sqlite "Onde nasce o rio São Francisco?" --json',
                "com a busca num índice rag, em JSON (com as chamadas feitas)",
                "with search over a rag index, as JSON (with the calls made)"),
        )),
        "calc": Verb(agents.add_calc, agents.calc_command,
            "a calculadora das ferramentas, sozinha: uma conta lida por um analisador, nunca eval",
            "the tools' calculator on its own: arithmetic read by a parser, never eval", (
            ('llmzero agents calc "12*(3+4)"',
                "uma conta com parênteses (escreve 84)",
                "a calculation with parentheses (prints 84)"),
            ('llmzero agents calc "7,5 / 2" --json',
                "vírgula decimal; o valor em JSON",
                "a decimal comma; the value as JSON"),
        )),
    },
    "models": {
        "list": Verb(models.add_list, models.list_command,
            "lista os modelos registrados: nome, versão, apelidos, tipo, pasta",
            "list the registered models: name, version, aliases, kind, path", (
            ("llmzero models list",
                "todos os modelos registrados",
                "every registered model"),
            ("llmzero models list --registry equipe.sqlite --json",
                "os de outro registro, em JSON",
                "those of another registry, as JSON"),
        )),
        "show": Verb(models.add_show, models.show_command,
            "mostra a linhagem de um modelo registrado (NOME, NOME:VERSÃO ou NOME:APELIDO)",
            "show a registered model's lineage (NAME, NAME:VERSION or NAME:ALIAS)", (
            ("llmzero models show chat",
                "a versão mais nova de chat e de onde ela veio",
                "chat's newest version and where it came from"),
            ("llmzero models show chat:prod --json",
                "a versão com o apelido prod, em JSON",
                "the version aliased prod, as JSON"),
        )),
        "tag": Verb(models.add_tag, models.tag_command,
            "aponta um apelido (prod, staging...) para uma versão",
            "point an alias (prod, staging...) at a version", (
            ("llmzero models tag chat:3 prod",
                "prod passa a ser a versão 3 de chat",
                "prod becomes chat's version 3"),
            ("llmzero models tag chat staging",
                "staging passa a ser a versão mais nova",
                "staging becomes the newest version"),
        )),
        "rm": Verb(models.add_rm, models.rm_command,
            "tira uma versão do registro (os arquivos ficam)",
            "remove a version from the registry (the files stay)", (
            ("llmzero models rm chat:2",
                "esquece a versão 2 de chat (a pasta fica)",
                "forget chat's version 2 (the folder stays)"),
            ("llmzero models rm chat:staging --registry equipe.sqlite",
                "a versão com o apelido staging, noutro registro",
                "the version aliased staging, in another registry"),
        )),
        "register": Verb(models.add_register, models.register_command,
            "registra um checkpoint como a próxima versão de um nome",
            "register a checkpoint as the next version of a name", (
            ("llmzero models register runs/instrucoes --name chat",
                "a próxima versão de chat",
                "chat's next version"),
            ("llmzero models register runs/dpo --name chat --json",
                "o mesmo, em JSON (ou use --register chat no próprio treino)",
                "the same, as JSON (or give --register chat to the training itself)"),
        )),
    },
}
# fmt: on


def build_parser() -> argparse.ArgumentParser:
    """The parser of every verb in ``VERBS``; each verb's handler is its ``func`` default, its
    examples close its --help (a group's: the first example of each sub-verb)."""
    common = lang_parent()
    p = Parser(
        prog="llmzero",
        parents=[common],
        description=t(
            "llmzero: construa um LLM do zero — tokens, atenção, GPT, pré-treino, geração.",
            "llmzero: build an LLM from zero — tokens, attention, GPT, pre-training, generation.",
        ),
        epilog=Verbatim(
            examples_epilog(VERBS[verb].examples[0] for verb in ("journey", "train", "generate"))
            + t(
                "\n\n`llmzero COMANDO --help` mostra as opções e os exemplos de cada comando.",
                "\n\n`llmzero COMMAND --help` shows each command's options and examples.",
            )
        ),
    )
    from llmzero import __version__

    p.add_argument(
        "--version",
        action="version",
        version=f"llmzero {__version__}",
        help=t("mostra a versão do programa e sai", "show program's version number and exit"),
    )
    sub = p.add_subparsers(dest="command", metavar=t("COMANDO", "COMMAND"), parser_class=Parser)

    verb_common = lang_parent(argparse.SUPPRESS)  # keeps a --lang given before the verb

    def add(name, help_pt, help_en, examples=()):
        return sub.add_parser(
            name,
            parents=[verb_common],
            help=t(help_pt, help_en),
            description=t(help_pt, help_en),
            epilog=examples_epilog(examples) if examples else None,
        )

    for name, entry in VERBS.items():
        tasks = entry.items() if isinstance(entry, dict) else [(None, entry)]
        for task, verb in tasks:
            if task is None:
                s = add(name, verb.help_pt, verb.help_en, verb.examples)
            else:
                s = add_task(sub, add, name, task, verb.help_pt, verb.help_en, verb.examples)
            verb.flags(s)
            s.set_defaults(func=verb.run)
        if isinstance(entry, dict):
            sub.choices[name].epilog = examples_epilog(v.examples[0] for v in entry.values())
    return p


def autocomplete(parser: argparse.ArgumentParser, **options) -> None:
    """Shell completion (`pip install "llmzero[completion]"`): when the shell asks for it (it sets
    _ARGCOMPLETE), argcomplete prints the candidates and ends the process; otherwise nothing is
    imported, so that a plain run stays as fast as without it. ``options`` go to argcomplete
    (tests give an ``output_stream`` and an ``exit_method``)."""
    if "_ARGCOMPLETE" not in os.environ:
        return
    try:
        import argcomplete
    except ImportError:
        return
    with argparse_words():
        argcomplete.autocomplete(parser, **options)


def register_result(args: argparse.Namespace) -> None:
    """Put the folder the verb wrote (--out) in the model registry; said on stderr, so that a
    --json answer stays alone on stdout."""
    from llmzero.registry import register

    entry = register(args.out, args.register, path=args.registry)
    print(t(f"registrado: {entry.ref}", f"registered: {entry.ref}"), file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """`llmzero ...`: the exit code. The language chosen with --lang lasts for this call only."""
    lang = errors._LANG  # the language before this call (None: follow the environment)
    try:
        return _main(list(sys.argv[1:] if argv is None else argv))
    finally:
        set_lang(lang)


def _main(argv: list[str]) -> int:
    pre_lang(argv)
    parser = build_parser()
    autocomplete(parser)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a bad flag (already reported)
        return exc.code if isinstance(exc.code, int) else 2
    if args.lang:
        set_lang(args.lang)
    if not args.command:
        parser.print_help()
        return 0
    try:
        if getattr(args, "register", None) is not None:  # a bad name fails before any work
            from llmzero.registry import check_name

            check_name(args.register)
        resolve_model_args(args)  # models named NAME[:VERSION|ALIAS] become their folders
        code = args.func(args) or 0
        if code == 0 and getattr(args, "register", None) is not None:
            register_result(args)
    except UserError as exc:
        print(t("erro: ", "error: ") + exc.message(), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(t("\ninterrompido.", "\ninterrupted."), file=sys.stderr)
        return 143 if _terminated() else 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # the file system said no: a folder that cannot be made, a full disk...
        from llmzero.data.files import os_error

        print(t("erro: ", "error: ") + os_error(exc).message(), file=sys.stderr)
        return 2
    except Exception as exc:
        training = _training()
        if training is None or not isinstance(exc, training.TrainingDiverged):
            raise
        print(t("erro: ", "error: ") + str(exc), file=sys.stderr)
        return 1
    # training stops on SIGTERM as on Ctrl-C; the exit code still tells which (128 + 15, 128 + 2)
    return 143 if code == 130 and _terminated() else code


def _training():
    """``llmzero.training`` if a handler imported it, else None: importing it here would load
    torch for every verb, even those that never train."""
    return sys.modules.get("llmzero.training")


def _terminated() -> bool:
    training = _training()
    return training is not None and training.terminated()
