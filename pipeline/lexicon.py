"""Linguistic and page-layout lists in one place, as data.

Sources: the schema (../shared/spec/schema.md), the five seed reports and the 220-report
corpus (../shared/corpus), read by hand; each list says what it is for.
"""

from __future__ import annotations

import re

# --- web-page furniture (government CMS pages) -------------------------------------------
# Lines that are page chrome, never report text: view counters, share / print widgets,
# index numbers of the government information disclosure catalogue, disclosure mode.
_FURNITURE = {
    "counter": re.compile(r"(浏览|阅读|访问|点击)(量|次数|数)[:：]?\s*\d*"),
    "widget": re.compile(r"扫一扫|手机查看当前页|在手机打开|打印本页|关闭窗口|【打印】|【关闭】|字号[:：]|分享到"),
    "index_number": re.compile(r"^(索引号[:：]?\s*)?[0-9A-Z]{6,}[-/][0-9A-Za-z/-]+$"),
    "disclosure": re.compile(r"^(主动公开|依申请公开|不予公开|单位审核公开|(公开方式|公开范围|公开属性)[:：].{0,10})$"),
    "byline": re.compile(r"^(来源|发布时间|发布日期|发布机构|信息来源)[:：]"),
    "site": re.compile(r"(www\.|https?://)\S+"),
}
# Only short lines without sentence punctuation can be furniture: a report sentence that
# happens to contain "来源:" or a web address stays text.
_FURNITURE_MAX_CHARS = 80
_SENTENCE_PUNCT = re.compile(r"[。！？]")

_DATE = re.compile(r"(?P<y>(19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})日?")
_SOURCE = re.compile(r"(来源|信息来源|发布机构)[:：]\s*(?P<source>[^\s:：]+)")
_HEADER_CELL = re.compile(r"^[^。，,;；:：！？]{1,20}$")


def furniture_kind(line: str) -> str | None:
    """The kind of page furniture a whole line is, or None for report text."""
    if not line or len(line) > _FURNITURE_MAX_CHARS or _SENTENCE_PUNCT.search(line):
        return None
    for kind, pattern in _FURNITURE.items():
        if pattern.search(line):
            return kind
    return None


def find_date(text: str) -> str | None:
    """The first calendar date in `text` as YYYY-MM-DD."""
    match = _DATE.search(text)
    if not match:
        return None
    year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def collect_furniture(line: str, found: dict[str, str]) -> None:
    """Keep what a furniture line says about the page (date, source, index number)."""
    kind = furniture_kind(line)
    if kind == "index_number":
        found.setdefault("index_number", line.split("：")[-1].split(":")[-1].strip())
    elif kind == "disclosure":
        found.setdefault("disclosure", line)
    if (date := find_date(line)) is not None:
        found.setdefault("published", date)
    if (match := _SOURCE.search(line)) is not None:
        found.setdefault("source", match["source"])


def is_header_cell(line: str) -> bool:
    """A short label-like line of a page's header table (publisher, date)."""
    return bool(_HEADER_CELL.match(line))


def collect_header_cell(line: str, found: dict[str, str]) -> None:
    if (date := find_date(line)) is not None:
        found.setdefault("published", date)
    else:
        found.setdefault("publisher", line)


# --- report structure -----------------------------------------------------------------------
CN_DIGITS = "一二三四五六七八九十"
# Heading markers, by style. The nesting level of a style is the order in which a report
# first uses it (like Markdown's setext/atx mix), because reports skip levels freely.
HEADING_MARKERS = {
    "cn_dun": re.compile(rf"^[{CN_DIGITS}]{{1,3}}、"),                 # 一、
    "cn_paren": re.compile(rf"^[(（][{CN_DIGITS}]{{1,3}}[)）]"),       # （一） (一)
    "arabic_dot": re.compile(r"^\d{1,2}(\.(?!\d)|．|、)"),              # 1. 1．1、
    "arabic_paren": re.compile(r"^[(（]\d{1,2}[)）]"),                  # (1)
    "circled": re.compile(r"^[①-⑳]"),                                   # ①
    "cn_ordinal": re.compile(rf"^第[{CN_DIGITS}]{{1,3}}[,，、:：]"),    # 第一,
}
# Inline enumerations inside a paragraph: 一是…。二是…。
INLINE_ENUM = re.compile(rf"(?m)(?:^|(?<=[。；;]))\s*(?P<marker>[{CN_DIGITS}]{{1,3}}是)")
# A heading's title is its lead sentence when that is short; a longer one is body text.
HEADING_MAX_CHARS = 60
INLINE_TITLE_MAX_CHARS = 25

# Section kinds by the words of their heading (checked in this order).
SECTION_KINDS = (
    ("problems", re.compile(r"存在的?(主要)?问题|问题(和|与|及)不足|不足(之处)?|短板|薄弱环节|差距")),
    ("plans", re.compile(r"下一步|下一年|下年度|明年|今后|打算|(主要|工作|重点)安排|工作计划|工作思路|工作重点|努力方向|(19|20)\d{2}年(度)?(的)?(主要)?(工作)?(打算|安排|计划|思路|重点|目标)")),
    ("principal_duty", re.compile(r"第一责任人|主要负责(人|同志).{0,12}(职责|情况)")),
)


# --- values, metrics, institutions, measures (rule baseline and rule components) ------------
# Measure words and units seen after counts in the seeds and the corpus.
UNITS = (
    "个百分点", "万人次", "人次", "场次", "件次", "户次", "万元", "亿元", "元", "%", "件", "个", "次", "项",
    "人", "名", "家", "场", "期", "条", "篇", "份", "起", "宗", "天", "小时", "分钟", "批", "轮", "户",
    "套", "部", "本", "类", "所", "处", "支", "位", "万", "亿", "卷", "册", "张", "单", "余", "块", "栋", "座",
    "平方米", "公里", "米", "吨", "个工作日", "工作日",
    "批次", "轮次", "场(次)", "场（次）", "学时", "课时", "百分点", "倍", "艘",
)
# Ranks: a place scope (全国, 全市各区, 全省综合排名) or a ranking verb, then 第N (名/位) or 首位.
RANK_VERBS = ("排名", "排位", "位列", "位居", "名列", "居")
APPROX_MARKS_BEFORE = ("近", "约", "逾")
APPROX_MARKS_AFTER = ("余", "多")
BOUND_MARKS = ("以上", "以下", "左右")
# Words between a metric and its value that belong to neither (schema: VALUE excludes the verb).
METRIC_LINKERS = ("分别达到", "分别为", "分别达", "达到", "共计", "累计", "合计", "超过", "同比增长", "同比下降",
                  "增长", "下降", "提升", "提高", "减少", "缩减至", "压缩至", "达", "为", "共", "计", "超", "是", "了", "至")
SCOPE_WORDS = ("全区", "全市", "全县", "全省", "全旗", "全州", "全年", "今年", "年内", "共", "累计", "均", "全部")
# Action verbs that open a MEASURE (schema examples and the seeds).
MEASURE_VERBS = (
    "建立", "制定", "印发", "召开", "开展", "组织", "出台", "完成", "审查", "审核", "办理", "受理", "举办",
    "推行", "实行", "落实", "修订", "清理", "编制", "聘请", "培训", "将", "对", "向", "通过", "依托", "建成",
    "打造", "设立", "成立", "推出", "公布", "发布", "签订", "备案", "梳理", "实施", "推进", "深化", "健全",
    "完善", "规范", "探索", "创新", "构建", "邀请", "选派", "配备", "调整", "取消", "下放", "承接", "编印",
    "举行", "参加", "处理", "化解", "调解", "办结", "查处", "检查", "评查", "督察", "督查", "考核", "宣讲",
    "减少", "压缩", "精简", "提供", "聘任", "组建", "修改", "废止", "起草", "审议", "听取", "印制", "发放",
)
# Characters that cannot start an institution name; the rule baseline strips them from the left.
INSTITUTION_STOP_CHARS = "全年向及与和对在由把将经为等各我本该并同时报送请于从"
LEADING_ADVERBS = (
    "持续", "不断", "进一步", "深入", "积极", "切实", "全面", "扎实", "认真", "大力", "着力", "稳步", "有效",
    "努力", "主动", "严格", "常态化", "统筹", "逐步", "定期", "及时", "带头", "相继", "多次", "统一", "首次",
    "先后", "依法", "全力", "率先", "高位", "专门", "精心", "已", "共", "累计", "还", "并", "同时", "先后",
)
# Organisation-name endings (institution patterns of the rule baseline).
ORGAN_SUFFIXES = (
    "人民政府", "政府", "人大常委会", "人大", "政协", "中级人民法院", "人民法院", "法院", "人民检察院", "检察院",
    "纪委监委", "依法治区办", "依法治县办", "依法治市办", "依法治省办", "委员会", "常委会", "党委", "党组", "党工委",
    "管委会", "办公室", "司法局", "公安局", "局", "厅", "委", "办", "中心", "协会", "大学",
)
PLACE_SUFFIXES = ("自治区", "省", "市", "区", "县", "州", "盟", "旗", "镇", "乡", "街道")
