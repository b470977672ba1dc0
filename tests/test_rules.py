import pytest
import spacy

from fazhi.rules import find_institutions, find_values


@pytest.mark.parametrize(
    "text,values",
    [
        ("全年共受理法律援助案件385件(其中法律帮助220件)", ["385件", "220件"]),
        ("报备及时率、合法合规率达100%", ["100%"]),
        ("提出合法性审查意见230余条", ["230余条"]),
        ("名列全市第一", ["全市第一"]),
        ("评价排名全国第2位,指标排名第一;居全省首位", ["全国第2位", "第一", "全省首位"]),
        ("降幅排名全市各区第一", ["全市各区第一"]),
        ("命名为全国第三批示范,全国第十一批", []),
        ("抽查任务13批次,会前学法698场(次)", ["13批次", "698场(次)"]),
        ("2023年我区获得2021—2022年度荣誉", []),
        ("印发《2023年度10项重点工作》", []),
        ("开展“八五”普法,拨打12345热线", []),
    ],
)
def test_rules_values(text, values):
    assert [text[s:e] for s, e in find_values(text)] == values


@pytest.mark.parametrize(
    "text,institutions",
    [
        ("全年向市司法局及区人大备案规范性文件3件", ["市司法局", "区人大"]),
        ("新乡市中级人民法院审结案件", ["新乡市中级人民法院"]),
        ("落实党中央、国务院部署", ["党中央", "国务院"]),
        ("各部门按照《新乡市人民政府规章》执行", []),
    ],
)
def test_rules_institutions(text, institutions):
    assert [text[s:e] for s, e in find_institutions(text)] == institutions


def test_rules_component_sets_all_layers():
    nlp = spacy.blank("zh")
    nlp.add_pipe("fazhi_rules")
    doc = nlp("一、主要成效\n持续减少审批环节,不见面审批事项占比达到100%。")
    assert ("100%", "VALUE") in [(e.text, e.label_) for e in doc.ents]
    assert "减少审批环节" in [m.text for m in doc.spans["measure"]]
    assert ("不见面审批事项占比", "100%", "HAS_VALUE") in [(r.head.text, r.tail.text, r.label) for r in doc._.relations]
