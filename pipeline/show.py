"""`fazhi show`: one extracted report as an HTML page a person reads.

The text with entities and measure spans highlighted (displaCy's span style, which draws
overlapping spans, so a MEASURE and the METRIC/VALUE inside it are both visible), the
relations, the triples as a table, and the section outline.
"""

from __future__ import annotations

import html

import spacy
from spacy import displacy
from spacy.tokens import Doc

from .schema import COLOURS

SHOW_KEY = "fazhi_show"


def record_doc(record: dict) -> Doc:
    """A Doc carrying every span of an extract record in one span group, for displaCy."""
    doc = spacy.blank("zh").make_doc(record["text"])
    spans = []
    for entity in record["entities"]:
        span = doc.char_span(entity["start"], entity["end"], label=entity["label"], alignment_mode="expand")
        if span is not None:
            spans.append(span)
    doc.spans[SHOW_KEY] = spans
    return doc


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _outline(record: dict) -> str:
    from .structure import analyse

    structure = analyse(record["text"])
    items = "".join(
        f'<li style="margin-left:{(h.level - 1) * 1.5}em">{html.escape(h.text)} '
        f'<small>[{structure.section_at(h.start).kind}]</small></li>'
        for h in structure.headings
    )
    return f"<ul class='outline'>{items}</ul>"


def render_page(record: dict) -> str:
    if record.get("status") != "ok":
        body = f"<p class='error'>{html.escape(record.get('error') or 'error')}</p>"
        return _page(record, body)
    by_id = {e["id"]: e for e in record["entities"]}
    marked = displacy.render(record_doc(record), style="span",
                             options={"spans_key": SHOW_KEY, "colors": COLOURS}, page=False)
    triples = [
        [by_id[t["measure"]]["text"] if t["measure"] is not None else "—", by_id[t["metric"]]["text"],
         by_id[t["value"]]["text"], _value_text(by_id[t["value"]]),
         "、".join(by_id[i]["text"] for i in t["institutions"]), " › ".join(by_id[t["metric"]]["section_path"])]
        for t in record["triples"]
    ]
    relations = [[by_id[r["head"]]["text"], r["label"], by_id[r["tail"]]["text"], f"{r['score']:.2f}" if r.get("score") is not None else ""]
                 for r in record["relations"]]
    counts = {}
    for entity in record["entities"]:
        counts[entity["label"]] = counts.get(entity["label"], 0) + 1
    legend = " ".join(
        f"<span class='legend' style='background:{COLOURS[label]}'>{label} {counts.get(label, 0)}</span>"
        for label in ("MEASURE", "METRIC", "VALUE", "INSTITUTION")
    )
    body = (
        f"<p>{legend}</p>"
        f"<h2>Outline</h2>{_outline(record)}"
        f"<h2>Triples ({len(triples)})</h2>"
        + _table(["measure", "metric", "value", "normalized", "institutions", "section"], triples)
        + f"<h2>Text</h2><div class='text'>{marked}</div>"
        + f"<h2>Relations ({len(relations)})</h2>"
        + _table(["head", "relation", "tail", "score"], relations)
    )
    return _page(record, body)


def _value_text(entity: dict) -> str:
    value = entity.get("value") or {}
    if value.get("number") is None:
        return ""
    flags = [name for name in ("approximate",) if value.get(name)] + ([f"{value['bound']} bound"] if value.get("bound") else [])
    return f"{value['number']:g} {value.get('unit', '')} ({value.get('kind')}{', ' + ', '.join(flags) if flags else ''})"


def _page(record: dict, body: str) -> str:
    meta = record.get("meta") or {}
    title = meta.get("title") or record.get("doc_id", "")
    facts = " · ".join(f"{k}: {html.escape(str(v))}" for k, v in meta.items() if v not in (None, "") and k != "title")
    return f"""<!DOCTYPE html>
<html lang="zh"><head><meta charset="utf-8"><title>{html.escape(str(title))}</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "Noto Sans SC", sans-serif; max-width: 1100px; margin: 2em auto; line-height: 1.6; }}
table {{ border-collapse: collapse; width: 100%; font-size: 0.9em; }}
th, td {{ border: 1px solid #ddd; padding: 4px 6px; text-align: left; vertical-align: top; }}
th {{ background: #f3f4f6; }}
.legend {{ padding: 2px 8px; border-radius: 4px; margin-right: 6px; }}
.error {{ color: #b91c1c; }}
</style></head>
<body><h1>{html.escape(str(title))}</h1><p><small>{html.escape(record.get('source', ''))} · {facts}</small></p>
{body}
</body></html>
"""
