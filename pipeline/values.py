"""Normalization of VALUE spans (schema, "Triples"): number, unit, and flags.

385件 -> 385 件; 230余条 -> 230 条 approximate; 3万余人 -> 30000 人 approximate;
50%以上 -> 50 % lower bound; 全市第一, 全省首位 -> 1 rank; 零 -> 0; 近300人 -> 300 人 approximate.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

CN_NUMERALS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
MULTIPLIERS = {"万": 10_000, "亿": 100_000_000}
# Approximation marks: before the number (近 约 逾) or after it (余 多 左右); 以上/以下 are bounds.
APPROX_BEFORE = ("近", "约", "逾")
APPROX_AFTER = ("余", "多", "左右")
BOUNDS = {"以上": "lower", "以下": "upper", "不少于": "lower", "不低于": "lower", "超过": "lower", "不超过": "upper"}

_NUMBER = re.compile(r"\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+")
_RANK = re.compile(r"(?:第(?P<n>[\d零〇一二两三四五六七八九十百]+)(?:名|位)?|首位|之首)$")


@dataclass(frozen=True)
class NormalizedValue:
    number: float | None
    unit: str
    approximate: bool
    bound: str | None  # "lower", "upper" or None
    kind: str  # "count", "percent", "rank", "amount"

    def to_dict(self) -> dict:
        return asdict(self)


def chinese_to_number(text: str) -> float | None:
    """一百二十三 -> 123, 十五 -> 15, 二〇二三 -> 2023 (digit by digit without units)."""
    if not text:
        return None
    if not any(ch in CN_UNITS for ch in text):
        digits = [CN_NUMERALS.get(ch) for ch in text]
        if None in digits:
            return None
        return float(int("".join(map(str, digits))))
    total, current = 0, 0
    for ch in text:
        if ch in CN_NUMERALS:
            current = CN_NUMERALS[ch]
        elif ch in CN_UNITS:
            total += (current or 1) * CN_UNITS[ch]
            current = 0
        else:
            return None
    return float(total + current)


def normalize_value(text: str) -> NormalizedValue:
    value = text.strip().strip("“”\"")
    approximate = value.startswith(APPROX_BEFORE)
    bound = None
    for word, direction in BOUNDS.items():
        if word in value:
            bound = direction
            value = value.replace(word, "")
    for mark in APPROX_BEFORE:
        if value.startswith(mark):
            value = value[len(mark):]
    rank = _RANK.search(value)
    if rank:
        number = _to_number(rank["n"]) if rank["n"] else 1.0
        return NormalizedValue(number, value[: rank.start()] or "rank", approximate, bound, "rank")
    if value.startswith("百分之"):
        return NormalizedValue(_to_number(value[3:].rstrip("余多")), "%", approximate or value.endswith(("余", "多")), bound, "percent")
    if value == "零":
        return NormalizedValue(0.0, "", False, bound, "count")
    match = _NUMBER.search(value)
    if match is None:
        return NormalizedValue(None, value, approximate, bound, "count")
    number = _to_number(match.group(0))
    rest = value[match.end():]
    if rest.startswith(tuple(MULTIPLIERS)) and number is not None:
        number *= MULTIPLIERS[rest[0]]
        rest = rest[1:]
    for mark in APPROX_AFTER:
        if mark in rest:
            approximate = True
            rest = rest.replace(mark, "")
    unit = rest.strip()
    if unit.startswith(tuple(MULTIPLIERS)) and number is not None:  # 3万余人: 余 between 万 and unit
        number *= MULTIPLIERS[unit[0]]
        unit = unit[1:]
    kind = "percent" if unit in ("%", "％", "个百分点", "百分点") or "%" in unit else ("amount" if "元" in unit else "count")
    return NormalizedValue(number, unit, approximate, bound, kind)


def _to_number(text: str) -> float | None:
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    return chinese_to_number(text)
