"""A report as one list of blocks (headings, paragraphs, tables, figures...), written both as
Markdown and as one self-contained HTML page (figures inlined as PNG data).

    report = Report(folder)
    report.add("h1", "Título")
    report.add("table", ("a", "b"), [(1, 2)])
    report.add("img", "loss.png", "legenda")     # a path relative to ``folder``
    report.markdown(), report.html("Título")
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

from llmzero.errors import get_lang


def _md_row(cells) -> str:
    return "| " + " | ".join(str(c).replace("|", "\\|").replace("\n", " ") for c in cells) + " |"


class Report:
    """Blocks (kind, data...): h1-h3 (text), p, pre, tokens (label, pieces), img (path, caption),
    table (header, rows)."""

    def __init__(self, root: Path):
        self.root, self.blocks = root, []

    def add(self, kind: str, *data) -> None:
        self.blocks.append((kind, *data))

    def markdown(self) -> str:
        out = []
        for kind, *d in self.blocks:
            if kind in ("h1", "h2", "h3"):
                out.append("#" * int(kind[1]) + " " + d[0])
            elif kind == "p":
                out.append(d[0])
            elif kind == "pre":
                out.append("```\n" + d[0].rstrip("\n") + "\n```")
            elif kind == "tokens":
                out.append(f"{d[0]}: `" + "|".join(x.replace("\n", "↵") for x in d[1]) + "`")
            elif kind == "img":
                out.append(f"![{d[1]}]({d[0]})")
            elif kind == "table":
                header, rows = d
                out += [_md_row(header), "|" + "---|" * len(header)] + [_md_row(r) for r in rows]
                out.append("")
                continue
            out.append("")
        return "\n".join(out)

    def html(self, title: str) -> str:
        palette = ("#bfdbfe", "#fde68a", "#bbf7d0", "#fecaca", "#ddd6fe", "#fed7aa")
        e = html.escape
        body = []
        for kind, *d in self.blocks:
            if kind in ("h1", "h2", "h3"):
                body.append(f"<{kind}>{e(d[0])}</{kind}>")
            elif kind == "p":
                body.append(f"<p>{e(d[0])}</p>")
            elif kind == "pre":
                body.append(f"<pre>{e(d[0])}</pre>")
            elif kind == "tokens":
                spans = "".join(
                    "<span "
                    f'style="background:{palette[i % len(palette)]}">{e(x).replace(chr(10), "↵")}'
                    "</span>"
                    for i, x in enumerate(d[1])
                )
                body.append(f'<p>{e(d[0])}:</p><p class="tok">{spans}</p>')
            elif kind == "img":
                data = base64.b64encode((self.root / d[0]).read_bytes()).decode("ascii")
                body.append(
                    f'<figure><img src="data:image/png;base64,{data}" alt="{e(d[1])}">'
                    f"<figcaption>{e(d[1])}</figcaption></figure>"
                )
            elif kind == "table":
                header, rows = d
                head = "".join(f"<th>{e(str(c))}</th>" for c in header)
                trs = "".join(
                    "<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in r) + "</tr>" for r in rows
                )
                body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{trs}</tbody></table>")
        style = (
            "body{font-family:system-ui,sans-serif;max-width:56rem;margin:2rem auto;padding:0 1rem;"
            "line-height:1.5}"
            "pre{background:#f4f4f5;padding:.75rem;white-space:pre-wrap;border-radius:4px}"
            "table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid "
            "#d4d4d8;padding:.25rem .6rem;"
            "text-align:left;vertical-align:top}img{max-width:100%}.tok "
            "span{font-family:monospace;"
            "padding:1px "
            "0;margin-right:1px;white-space:pre}figcaption{color:#52525b;font-size:.9em}"
        )
        lang = "en" if get_lang() == "en" else "pt-BR"
        return (
            f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, '
            f'initial-scale=1">\n<title>{e(title)}</title>\n'
            f"<style>{style}</style>\n</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
        )
