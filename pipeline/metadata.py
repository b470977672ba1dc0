"""Report metadata where the text states it: title, region, year, issuer, date."""

from __future__ import annotations

import re

from . import lexicon

_TITLE = re.compile(r"法治(政府)?建设.{0,12}(报告|情况|总结)|(报告|总结)$")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年(度)?")
# A region opens the title (after 中共) or the first sentence (after its year): 凤泉区,
# 河北省, 深圳市龙华区. In body text it must be followed by a word that starts a clause.
_REGION_UNITS = r"(?P<region>(?:[\u4e00-\u9fff]{1,8}?(?:省|自治区|市|自治州|州|盟|地区|自治县|县|区|旗))+)"
_TITLE_REGION = re.compile(r"^(?:中共)?" + _REGION_UNITS)
_BODY_REGION = re.compile(
    r"^(?:(?:19|20)\d{2}年(?:以来|度)?[,，]?)?" + _REGION_UNITS
    + r"(?=人民政府|政府|委员会|法治|司法局|党委|党工委|管委会|坚持|认真|深入|全面|在|以|围绕)"
)
_NOT_REGION = re.compile(r"^(全|我|本|各|该)")
_ISSUER_SUFFIX = re.compile(r"(人民政府|政府|管委会|管理委员会|委员会|党工委|区委|县委|市委|省委|厅|局|办公室|办)$")
_SIGNATURE_DATE = re.compile(r"^(19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")


def extract_metadata(text: str, known: dict | None = None) -> dict:
    """Metadata stated in the text; `known` (e.g. fields of a JSONL record) wins where given."""
    known = dict(known or {})
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    title = known.get("title") or _title(lines)
    meta = {
        "title": title,
        "region": known.get("region") or _region(title or "", _TITLE_REGION) or next(filter(None, map(_region, lines[:3])), None),
        "year": known.get("year") or _year(title or "") or _year(" ".join(lines[:3])),
        "issuer": known.get("issuer") or _issuer(lines, title) or known.get("publisher"),
        "date": known.get("date") or _date(lines) or known.get("published"),
    }
    return meta


def _title(lines: list[str]) -> str | None:
    for line in lines[:3]:
        if len(line) <= 60 and _TITLE.search(line) and "。" not in line and not any(
            p.match(line) for p in lexicon.HEADING_MARKERS.values()
        ):
            return line
    return None


def _region(text: str, pattern: re.Pattern = _BODY_REGION) -> str | None:
    match = pattern.search(text)
    if not match or _NOT_REGION.match(match["region"]):
        return None
    return match["region"]


def _year(text: str) -> int | None:
    match = _YEAR.search(text)
    return int(match.group(1)) if match else None


def _issuer(lines: list[str], title: str | None) -> str | None:
    """The signature above the closing date, else the body named before the year in the title."""
    for i in range(len(lines) - 1, max(len(lines) - 4, 0), -1):
        if _SIGNATURE_DATE.match(lines[i]) and i > 0 and len(lines[i - 1]) <= 40 and _ISSUER_SUFFIX.search(lines[i - 1]):
            return lines[i - 1]
    if title:
        head = _YEAR.split(title, maxsplit=1)[0].strip()
        head = re.sub(r"关于$", "", head).strip()
        if head and _ISSUER_SUFFIX.search(head):
            return head
    return None


def _date(lines: list[str]) -> str | None:
    for line in lines[-3:]:
        if _SIGNATURE_DATE.match(line):
            return lexicon.find_date(line)
    return None
