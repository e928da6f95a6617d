"""`llmzero serve` (the OpenAI-compatible server) and `llmzero studio` (the same server, plus the
browser opened on its page).

The handlers import the server (and so torch) in their bodies: `llmzero --help` must stay fast.
"""

from __future__ import annotations

import os

from llmzero.cli.args import check_device, nonempty_arg, port, positive_int
from llmzero.errors import t


def add_serve(s, default_port: int = 8000) -> None:
    s.add_argument(
        "--model",
        required=True,
        action="append",
        type=nonempty_arg,
        help=t(
            "pasta do modelo ou NOME[:APELIDO] do registro; repita para servir vários (o "
            "primeiro é o padrão)",
            "model folder or registered NAME[:ALIAS]; repeat it to serve several (the first is "
            "the default)",
        ),
    )
    s.add_argument(
        "--host",
        type=nonempty_arg,
        default="127.0.0.1",
        help=t(
            "endereço (padrão: só este computador; outro exige --api-key)",
            "address (default: this computer only; any other needs --api-key)",
        ),
    )
    s.add_argument(
        "--port",
        type=port,
        default=default_port,
        help=t("porta (0 = qualquer livre)", "port (0 = any free one)"),
    )
    s.add_argument(
        "--api-key",
        help=t(
            "chave exigida como 'Authorization: Bearer CHAVE' (ou a variável LLMZERO_API_KEY)",
            "key required as 'Authorization: Bearer KEY' (or the LLMZERO_API_KEY variable)",
        ),
    )
    s.add_argument(
        "--max-batch",
        type=positive_int,
        default=32,
        help=t("pedidos gerados juntos, no máximo", "most requests generated together"),
    )
    s.add_argument(
        "--max-queue",
        type=positive_int,
        default=256,
        help=t(
            "pedidos na fila de espera antes de responder 429",
            "requests waiting in line before answering 429",
        ),
    )
    s.add_argument(
        "--max-tokens",
        type=positive_int,
        default=4096,
        help=t("maior max_tokens aceito", "largest max_tokens accepted"),
    )
    s.add_argument(
        "--registry",
        metavar=t("ARQUIVO", "FILE"),
        help=t("o arquivo SQLite do registro de modelos", "the model registry's SQLite file"),
    )
    s.add_argument("--device", default="cpu", help="cpu | cuda | mps")
    s.add_argument(
        "--dtype",
        choices=["float32", "bfloat16"],
        default="float32",
        help=t(
            "precisão dos pesos: bfloat16 usa metade da memória e, em CPUs com AMX, faz os lotes "
            "quase de graça (os números mudam um pouco)",
            "weight precision: bfloat16 halves the memory and, on CPUs with AMX, makes batches "
            "nearly free (the numbers change a little)",
        ),
    )
    s.add_argument(
        "--verbose", action="store_true", help=t("mostrar cada pedido", "log every request")
    )


def add_studio(s) -> None:
    add_serve(s, default_port=8765)
    s.add_argument(
        "--no-browser",
        action="store_true",
        help=t("não abrir o navegador", "do not open the browser"),
    )


def serve_command(args) -> int:
    from llmzero.data.download import is_loopback
    from llmzero.serve import Limits, Server, make_app

    check_device(args.device)
    api_key = args.api_key or os.environ.get("LLMZERO_API_KEY") or None
    app = make_app(
        args.model,
        registry_file=args.registry,
        device=args.device,
        dtype=args.dtype,
        max_batch=args.max_batch,
        max_queue=args.max_queue,
        limits=Limits(max_tokens=args.max_tokens),
        api_key=api_key,
        host=args.host,
        lang=args.lang,
    )
    server = Server(app, args.host, args.port, verbose=args.verbose)
    if not is_loopback(args.host):
        print(
            t(
                f"atenção: servindo em {args.host}; só quem tiver a chave pode usar o modelo.",
                f"warning: serving on {args.host}; only callers with the key can use the model.",
            )
        )
    print(
        t(
            f"llmzero em {server.url}  (API: {server.url}v1, página: {server.url}; Ctrl+C para "
            "sair)",
            f"llmzero at {server.url}  (API: {server.url}v1, page: {server.url}; Ctrl+C to quit)",
        ),
        flush=True,
    )
    if getattr(args, "open_browser", False):
        import threading
        import webbrowser

        threading.Timer(0.5, webbrowser.open, [server.url]).start()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        app.state.pool.close()
        print(t("servidor encerrado.", "server closed."))
    return 0


def studio_command(args) -> int:
    args.open_browser = not args.no_browser
    return serve_command(args)
