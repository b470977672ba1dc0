import pytest

from fazhi.values import chinese_to_number, normalize_value


@pytest.mark.parametrize(
    "text,number,unit,approximate,bound,kind",
    [
        ("385件", 385, "件", False, None, "count"),
        ("230余条", 230, "条", True, None, "count"),
        ("10余次", 10, "次", True, None, "count"),
        ("3万余人", 30000, "人", True, None, "count"),
        ("1.5万人次", 15000, "人次", False, None, "count"),
        ("428.6余万元", 4286000, "元", True, None, "amount"),
        ("50%以上", 50, "%", False, "lower", "percent"),
        ("95.13%", 95.13, "%", False, None, "percent"),
        ("零", 0, "", False, None, "count"),
        ("全市第一", 1, "全市", False, None, "rank"),
        ("全省首位", 1, "全省", False, None, "rank"),
        ("全国第2位", 2, "全国", False, None, "rank"),
        ("第三", 3, "rank", False, None, "rank"),
        ("5.94百分点", 5.94, "百分点", False, None, "percent"),
        ("近300人", 300, "人", True, None, "count"),
        ("百分之九十", 90, "%", False, None, "percent"),
        ("两千余件", 2000, "件", True, None, "count"),
        ("12.5个百分点", 12.5, "个百分点", False, None, "percent"),
    ],
)
def test_values_normalize(text, number, unit, approximate, bound, kind):
    value = normalize_value(text)
    assert (value.number, value.unit, value.approximate, value.bound, value.kind) == (number, unit, approximate, bound, kind)


@pytest.mark.parametrize("text,number", [("十五", 15), ("一百二十三", 123), ("二〇二三", 2023), ("十", 10), ("甲", None)])
def test_values_chinese_numerals(text, number):
    assert chinese_to_number(text) == number
