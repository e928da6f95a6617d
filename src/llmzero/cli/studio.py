"""`llmzero studio --model DIR`: serve the studio page for a trained model.

The handler imports the server (and so torch) in its body: `llmzero --help` must stay fast.
"""

from __future__ import annotations

import ipaddress

from llmzero.cli.args import check_device, nonempty_arg, port
from llmzero.errors import t


def add_studio(s) -> None:
    s.add_argument(
        "--model",
        required=True,
        type=nonempty_arg,
        help=t("pasta do treino ou do checkpoint", "run or checkpoint folder"),
    )
    s.add_argument(
        "--host",
        type=nonempty_arg,
        default="127.0.0.1",
        help=t("endereço (padrão: só este computador)", "address (default: this computer only)"),
    )
    s.add_argument(
        "--port",
        type=port,
        default=8765,
        help=t("porta (0 = qualquer livre)", "port (0 = any free one)"),
    )
    s.add_argument("--device", default="cpu", help="cpu | cuda | mps")
    s.add_argument(
        "--no-browser",
        action="store_true",
        help=t("não abrir o navegador", "do not open the browser"),
    )
    s.add_argument(
        "--verbose", action="store_true", help=t("mostrar cada pedido", "log every request")
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def studio_command(args) -> int:
    import webbrowser

    from llmzero.studio.server import make_server

    check_device(args.device)
    server = make_server(
        args.model,
        host=args.host,
        port=args.port,
        lang=args.lang,
        device=args.device,
        verbose=args.verbose,
    )
    if not _is_loopback(args.host):
        print(
            t(
                f"atenção: servindo em {args.host}, qualquer um na sua rede pode usar o modelo.",
                f"warning: serving on {args.host}, anyone on your network can use the model.",
            )
        )
    print(
        t(
            f"estúdio do llmzero em {server.url}  (Ctrl+C para sair)",
            f"llmzero studio at {server.url}  (Ctrl+C to quit)",
        ),
        flush=True,
    )
    if not args.no_browser:
        webbrowser.open(server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print(t("\nestúdio encerrado.", "\nstudio closed."))
    finally:
        server.server_close()
    return 0
