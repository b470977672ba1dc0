import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fazhi.normalize import normalize

from conftest import SEEDS, corpus_records

PINYIN_LEFT = re.compile(r"[\u4e00-\u9fff]\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6}\)")
# Characters the simplification must never leave behind in seed 004 (traditional forms).
TRADITIONAL = set("區臨認實黨國務關於設機會經發環織規權領導責")

# Report-like text: Han characters (simplified and traditional), ruby, digits of both widths,
# punctuation of both widths, spaces of several kinds, and line breaks.
report_alphabet = st.sampled_from(
    list("法治政府建设区县市局委會區發展臨河實施年度报告一二三四五六七八九十是、。，,;；:：()（）“”《》%％")
    + list("0123456789０１２３４５６７８９ABCＡＢＣabc")
    + [" ", "\u3000", "\u00a0", "\t", "\n", "\r\n", "(qū)", "(fā)", "浏览量:", "扫一扫手机查看当前页面", "\ufeff"]
)
report_text = st.lists(report_alphabet, max_size=120).map("".join)


def assert_map_points_at_source(normalized):
    text, source = normalized.text, normalized.source
    assert len(normalized.starts) == len(normalized.ends) == len(text)
    for i, ch in enumerate(text):
        start, end = normalized.source_span(i, i + 1)
        assert 0 <= start < end <= len(source), (i, ch)
        origin = source[start:end]
        if ch in (" ", "\n"):
            assert origin.strip() == "" or "\n" in origin or origin[0] in " \u3000\u00a0\t", (i, origin)
        else:
            assert ch in origin or normalize(origin).text.startswith(ch) or normalize(origin[0]).text == ch, (i, ch, origin)
    # spans keep order: a later character never maps before an earlier one
    assert list(normalized.starts) == sorted(normalized.starts)


@given(report_text)
@settings(max_examples=300, deadline=None)
def test_normalize_is_idempotent(text):
    once = normalize(text).text
    assert normalize(once).text == once


@given(report_text)
@settings(max_examples=300, deadline=None)
def test_normalize_maps_every_char_to_its_source(text):
    assert_map_points_at_source(normalize(text))


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("區(qū)委", "区委"),
        ("發(fā)展", "发展"),
        ("２０２３年达到９５．１３％", "2023年达到95.13%"),
        ("ＡＢＣ认证", "ABC认证"),
        ("一、  加强\u3000组织领导", "一、 加强 组织领导"),
        ("第一行\r\n\r\n\r\n第二行", "第一行\n第二行"),
        ("正文\n扫一扫手机查看当前页面", "正文"),
        ("凤泉区人民政府网站 www.fengquan.gov.cn 时间:2024-01-23 14:27 浏览量:\n正文", "正文"),
        ("\ufeff正文", "正文"),
    ],
)
def test_normalize_cases(raw, expected):
    assert normalize(raw).text == expected


def test_normalize_keeps_furniture_as_metadata():
    normalized = normalize("330703000000/2022-143212\n单位审核公开\n区司法局\n2022-03-03\n主动公开\n2021年以来,金东区…")
    assert normalized.text == "2021年以来,金东区…"
    assert normalized.furniture == {
        "index_number": "330703000000/2022-143212",
        "disclosure": "单位审核公开",
        "publisher": "区司法局",
        "published": "2022-03-03",
    }


def test_normalize_keeps_report_sentence_that_mentions_a_source():
    text = "数据来源:区统计局。全年受理案件385件。"
    assert normalize(text).text == text


def test_normalize_seed_004_has_no_pinyin_and_is_simplified(seed_texts):
    normalized = normalize(seed_texts["004_8a1a0682e2ba6701"])
    assert "(qū)" in seed_texts["004_8a1a0682e2ba6701"]
    assert not PINYIN_LEFT.search(normalized.text)
    assert not TRADITIONAL & set(normalized.text)
    assert normalized.text.startswith("2020年临河区认真落实党中央、国务院")


def test_normalize_source_span_of_pinyin_char_covers_the_ruby():
    normalized = normalize("臨河區(qū)認真")
    assert normalized.text == "临河区认真"
    assert normalized.source_span(2, 3) == (2, 7)
    assert normalized.source[slice(*normalized.source_span(0, 5))] == "臨河區(qū)認真"


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem)
def test_normalize_seed_maps_every_char(path):
    normalized = normalize(path.read_text(encoding="utf-8"))
    assert_map_points_at_source(normalized)
    assert normalize(normalized.text).text == normalized.text


def test_normalize_corpus_maps_every_char_and_is_idempotent():
    records = corpus_records()
    assert len(records) == 220
    for record in records:
        normalized = normalize(record["text"])
        assert normalized.text, record["id"]
        assert_map_points_at_source(normalized)
        assert normalize(normalized.text).text == normalized.text, record["id"]
        assert not PINYIN_LEFT.search(normalized.text), record["id"]
