from pathlib import Path

import pytest

from fazhi.normalize import normalize
from fazhi.structure import analyse, section_kind, split_sentences

from conftest import SEEDS, corpus_records

HEADINGS = Path(__file__).parent / "data" / "seed_headings"


def outline(text):
    structure = analyse(text)
    return [("  " * h.level) + h.text for h in structure.headings]


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem)
def test_structure_seed_headings_match_hand_written_list(path):
    expected = (HEADINGS / path.name).read_text(encoding="utf-8").rstrip("\n").split("\n")
    assert outline(normalize(path.read_text(encoding="utf-8")).text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("一、总体情况\n(一)加强领导\n1.学法。正文。", ["  一、总体情况", "    (一)加强领导", "      1.学法。"]),
        ("一、总体情况\n（一）加强领导", ["  一、总体情况", "    （一）加强领导"]),
        ("一、甲\n1、乙\n(1)丙\n二、丁", ["  一、甲", "    1、乙", "      (1)丙", "  二、丁"]),
        ("第一,健全制度。正文。", ["  第一,健全制度。"]),
        ("一、甲\n一是加强党的领导。深入学习。二是健全机制。印发文件。", ["  一、甲", "    一是加强党的领导。", "    二是健全机制。"]),
        # a 一是 lead sentence that states actions is body text, not a heading
        ("一是修订发布《办法》,印发《通知》。", []),
        # a long numbered line: the title is its lead sentence
        ("1.优化政府组织机构。我县在对各涉改单位充分调研论证的基础上,拟定了方案。", ["  1.优化政府组织机构。"]),
        ("2023年全县受理案件385件。", []),
    ],
)
def test_structure_headings(text, expected):
    assert outline(text) == expected


def test_structure_section_path_and_kind():
    text = "前言。\n一、主要成效\n(一)加强领导\n召开会议3次。\n二、存在的问题\n短板明显。\n三、下一步工作打算\n(一)进一步补齐短板\n将完善制度。"
    structure = analyse(text)
    at = text.index("召开")
    assert structure.section_path(at) == ("一、主要成效", "(一)加强领导")
    assert structure.section_at(at).kind == "achievements"
    assert structure.section_at(text.index("短板明显")).kind == "problems"
    assert structure.section_at(text.index("将完善")).kind == "plans"
    assert structure.section_at(0).kind == "preamble"


def test_structure_inline_heading_scope_ends_with_paragraph():
    text = "一、甲\n一是加强领导。召开会议。\n另起一段。"
    structure = analyse(text)
    assert structure.section_path(text.index("召开")) == ("一、甲", "一是加强领导。")
    assert structure.section_path(text.index("另起")) == ("一、甲",)


@pytest.mark.parametrize(
    "title,kind",
    [
        (("一、主要负责同志履行推进法治建设第一责任人职责情况",), "principal_duty"),
        (("三、2024年度法治政府建设存在的主要不足",), "problems"),
        (("四、下一年度推进法治政府建设的主要安排", "(一)进一步补齐短板"), "plans"),
        (("三、2024年工作打算",), "plans"),
        (("一、主要工作情况及成效",), "achievements"),
    ],
)
def test_structure_section_kinds(title, kind):
    assert section_kind(title) == kind


@pytest.mark.parametrize(
    "text,expected",
    [
        ("甲。乙！丙？丁", ["甲。", "乙！", "丙？", "丁"]),
        ("甲!”乙", ["甲!”", "乙"]),
        ("甲;乙；丙", ["甲;", "乙；", "丙"]),
        # a terminator inside a balanced quotation does not split; the one before ” does
        ("提出“让群众少跑腿。让数据多跑路。”目标。", ["提出“让群众少跑腿。让数据多跑路。”", "目标。"]),
        ("实现“最多跑一次;一网通办”改革。", ["实现“最多跑一次;一网通办”改革。"]),
        ("他说:“好。”然后走了。", ["他说:“好。”", "然后走了。"]),
        ("甲。)乙。", ["甲。)", "乙。"]),
        ("缺字的?地方。", ["缺字的?地方。"]),  # a lone ASCII ? inside a sentence is a lost character
        ("未闭合“引号。后文。", ["未闭合“引号。", "后文。"]),
    ],
)
def test_structure_sentences(text, expected):
    assert [text[s.start:s.end] for s in split_sentences(text, 0, len(text))] == expected


def test_structure_all_corpus_texts_get_sections_and_sentences():
    for record in corpus_records():
        text = normalize(record["text"]).text
        structure = analyse(text)
        assert structure.sentences, record["id"]
        covered = sum(s.end - s.start for s in structure.sentences)
        assert covered == sum(e - s for s, e in structure.paragraphs), record["id"]
        sections = structure.sections
        assert sections[0].start == 0 and sections[-1].end == len(text), record["id"]
        assert all(a.end == b.start for a, b in zip(sections, sections[1:])), record["id"]
