"""Small HTML building blocks for the run and sweep reports: a page, tables, images (embedded
as base64 or linked beside the page) and the markdown tables the evaluations write. Every
piece of text is escaped; the page loads nothing from the network."""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

from PIL import Image

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5em auto; max-width: 1400px; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; border-bottom: 1px solid #ccc; margin-top: 1.6em; }
h3 { font-size: 1em; margin-bottom: .3em; }
table { border-collapse: collapse; margin: .4em 0 1em; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 2px 7px; text-align: left; vertical-align: top; }
th { background: #f2f2f2; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: .6em 0 1.4em; } figcaption { color: #444; margin-top: .2em; }
img { image-rendering: pixelated; max-width: 100%; border: 1px solid #ddd; }
pre { background: #f7f7f7; padding: .6em; overflow-x: auto; font-size: 12px; }
.side { display: flex; gap: 1em; overflow-x: auto; align-items: flex-start; }
.side figure { flex: 0 0 auto; } .side img { max-width: none; }
.bad { color: #a00; } .muted { color: #666; }
"""


class Link:
    """A table cell that links to a file beside the page."""

    def __init__(self, href: str, text: str):
        self.href, self.text = href, text

    def __str__(self) -> str:
        return f"<a href='{esc(self.href)}'>{esc(self.text)}</a>"


def esc(value) -> str:
    return html.escape(str(value))


def page(title: str, body: list[str]) -> str:
    return (f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>{esc(title)}</title>"
            f"<style>{STYLE}</style></head><body>\n<h1>{esc(title)}</h1>\n" + "\n".join(body) + "\n</body></html>\n")


def number(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def table(headers: list[str], rows: list[list], numeric_from: int = 1) -> str:
    """An HTML table; cells from column `numeric_from` on are right-aligned numbers where they are numbers."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            numeric = i >= numeric_from and _is_number(cell)
            if isinstance(cell, Link):
                cells.append(f"<td>{cell}</td>")
            else:
                cells.append(f"<td class='num'>{esc(number(cell))}</td>" if numeric else f"<td>{esc(cell)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _is_number(cell) -> bool:
    if isinstance(cell, int | float):
        return True
    try:
        float(cell)
    except (TypeError, ValueError):
        return False
    return True


def image_caption(path: Path) -> str | None:
    """The caption a grid or plot stores in its PNG text ("title" from save_grid, "Title" from matplotlib)."""
    with Image.open(path) as image:
        text = dict(getattr(image, "text", {}))
    return text.get("title") or text.get("Title")


def figure(path: Path, caption: str, src: str | None = None) -> str:
    """An image with its caption; embedded as base64 unless `src` (a relative link) is given."""
    if src is None:
        src = "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")
    return f"<figure><img src='{esc(src)}' alt='{esc(path.name)}'><figcaption>{esc(caption)}</figcaption></figure>"


def markdown(text: str) -> str:
    """The markdown the evaluations write: headings, pipe tables and paragraphs (nothing else)."""
    out, block = [], []

    def flush():
        if block:
            out.append("<p>" + esc(" ".join(block)) + "</p>")
            block.clear()

    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if line.startswith("|"):
            flush()
            rows = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                cells = [c.strip() for c in lines[i].strip().strip("|").split("|")]
                if not all(re.fullmatch(r":?-+:?", c) for c in cells):
                    rows.append(cells)
                i += 1
            out.append(table(rows[0], rows[1:]))
            continue
        if heading := re.match(r"^(#+)\s+(.*)$", line):
            flush()
            level = min(6, len(heading.group(1)) + 2)
            out.append(f"<h{level}>{esc(heading.group(2))}</h{level}>")
        elif line:
            block.append(line)
        else:
            flush()
        i += 1
    flush()
    return "\n".join(out)
