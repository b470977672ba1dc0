import io
import json
import sys
import tracemalloc

import pytest

from fazhi.ingest import Failure, Report, iter_reports

from documents import write_docx, write_pdf, write_zip_bomb

REPORT = "凤泉区2023年法治政府建设情况报告\n一、加强组织领导\n全年共受理法律援助案件385件。"


def only(results):
    results = list(results)
    assert len(results) == 1, results
    return results[0]


def ingest_one(path):
    return only(iter_reports([path]))


def failure_of(path):
    result = ingest_one(path)
    assert isinstance(result, Failure), result
    assert str(path) in result.error
    return result.error


# --- good input ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "encoding,bom,expected",
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
        ("gb18030", b"", "gb18030"),
        ("gbk", b"", "gb18030"),
        ("big5", b"", "big5"),
    ],
)
def test_ingest_text_encodings_are_detected_and_reported(tmp_path, encoding, bom, expected):
    text = REPORT if encoding != "big5" else "鳳泉區2023年法治政府建設情況報告\n一、加強組織領導\n全年共受理法律援助案件385件。"
    path = tmp_path / "report.txt"
    path.write_bytes(bom + text.encode(encoding))
    report = ingest_one(path)
    assert isinstance(report, Report)
    assert report.meta["encoding"] == expected
    assert report.text.startswith("凤泉区2023年法治政府建设情况报告")


def test_ingest_html_extracts_article_and_maps_offsets_into_the_page(tmp_path):
    html = (
        "<html><head><title>报告</title><script>var x='区司法局';</script><style>p{}</style></head><body>"
        "<div class='nav'><a href='/'>首页</a><a href='/a'>政务公开</a><a href='/b'>政策文件</a></div>"
        "<div id='zoom'><h1>凤泉区2023年法治政府建设情况报告</h1><p>一、加强组织领导</p>"
        "<p>全年共受理法律援助案件385件&nbsp;,其中&#27861;律帮助220件。</p></div>"
        "<footer>版权所有 凤泉区人民政府</footer></body></html>"
    )
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    report = ingest_one(path)
    assert report.text == "凤泉区2023年法治政府建设情况报告\n一、加强组织领导\n全年共受理法律援助案件385件 ,其中法律帮助220件。"
    start = report.text.index("385件")
    source_start, source_end = report.normalized.source_span(start, start + 4)
    assert html[source_start:source_end] == "385件"
    law = report.text.index("法律帮助")
    assert html[slice(*report.normalized.source_span(law, law + 1))] == "&#27861;"
    assert report.meta["page_title"] == "报告"


def test_ingest_docx(tmp_path):
    path = write_docx(tmp_path / "report.docx", REPORT.split("\n"))
    report = ingest_one(path)
    assert report.format == "docx"
    assert report.text == REPORT


def test_ingest_pdf_with_text_layer(tmp_path):
    path = write_pdf(tmp_path / "report.pdf", "Rule of law report 2023: 385 legal aid cases accepted.")
    report = ingest_one(path)
    assert report.format == "pdf"
    assert "385 legal aid cases" in report.text


def test_ingest_jsonl_keeps_ids_and_metadata(tmp_path):
    path = tmp_path / "corpus.jsonl"
    path.write_text(
        json.dumps({"id": "r001", "title": "T", "year": 2023, "text": REPORT}, ensure_ascii=False) + "\n\n"
        + json.dumps({"text": REPORT}, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    first, second = iter_reports([path])
    assert (first.doc_id, first.meta["year"], first.source) == ("r001", 2023, f"{path}:1")
    assert second.doc_id == "corpus:3"


def test_ingest_folder_is_recursive_and_sorted(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "b" / "a.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / ".hidden").write_text("x", encoding="utf-8")
    results = list(iter_reports([tmp_path]))
    assert [r.doc_id for r in results] == ["a", "a~2"]
    assert all(isinstance(r, Report) for r in results)


def test_ingest_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(REPORT.encode("gb18030"))))
    report = only(iter_reports(["-"]))
    assert (report.doc_id, report.meta["encoding"]) == ("stdin", "gb18030")


def test_ingest_real_corpus_and_seeds_all_succeed(tmp_path):
    from conftest import CORPUS, ROOT

    results = list(iter_reports([ROOT / "seeds", CORPUS]))
    assert len(results) == 225
    assert not [r for r in results if isinstance(r, Failure)]


# --- bad input: every one gives a Failure that names the file and says what is wrong ----------

def _write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


BAD_FILES = [
        ("empty.txt", b"", "the file is empty"),
        ("blank.txt", b" \n\t\n", "the file is empty"),
        ("nul.txt", b"abc\x00\x01\x02" * 10, "binary file (NUL bytes)"),
        ("controls.txt", bytes(range(1, 9)) * 200, "binary file (1600 control characters"),
        ("bad.txt", "法治".encode() + b"\x80\x80\x80" * 5, "undecodable bytes: not UTF-8 (invalid byte at offset 6)"),
        ("bom.txt", b"\xef\xbb\xbf\xe6\xb3\x95\xff", "utf-8-sig byte-order mark but byte"),
        ("furniture.txt", "扫一扫手机查看当前页面\n浏览量: 12", "no report text is left after normalization"),
        ("nobody.html", "<html><head><title>t</title></head></html>", "the HTML page has no article text"),
        ("scripts.html", "<html><body><script>var a='法治';</script><nav>首页</nav></body></html>", "no article text"),
        ("fake.docx", b"this is not a zip", "not a DOCX (a DOCX is a zip archive"),
        ("fake.pdf", b"%PDF-1.4 garbage", "not a readable PDF"),
        ("report.xyz", "法治政府", "unsupported file type '.xyz'"),
        ("noext", "法治政府", "unsupported file type '(none)'"),
        ("empty.jsonl", b"\n\n", "the JSONL file has no records"),
]


@pytest.mark.parametrize("name,data,message", BAD_FILES)
def test_ingest_bad_file(tmp_path, name, data, message):
    assert message in failure_of(_write(tmp_path, name, data))


def test_ingest_zip_without_document_part(tmp_path):
    import zipfile

    path = tmp_path / "other.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert "no word/document.xml" in failure_of(path)


def test_ingest_zip_bomb_is_refused_without_unpacking(tmp_path):
    path = write_zip_bomb(tmp_path / "bomb.docx", megabytes=250)
    assert path.stat().st_size < 2 * 2**20
    tracemalloc.start()
    error = failure_of(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "refused as a zip bomb" in error
    assert peak < 20 * 2**20


def test_ingest_docx_without_text(tmp_path):
    assert "the DOCX has no text" in failure_of(write_docx(tmp_path / "blank.docx", ["", "  "]))


def test_ingest_encrypted_pdf(tmp_path):
    assert "the PDF is encrypted" in failure_of(write_pdf(tmp_path / "secret.pdf", "Report 2023 text layer here", password="pw"))


def test_ingest_image_only_pdf(tmp_path):
    assert "no text layer (scanned or image-only, 1 pages)" in failure_of(write_pdf(tmp_path / "scan.pdf"))


def test_ingest_50_mb_file_is_refused_in_bounded_memory(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as out:
        out.truncate(50 * 2**20)
    tracemalloc.start()
    error = failure_of(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "the file is 50.0 MB, over the limit of 20 MB" in error
    assert peak < 5 * 2**20


@pytest.mark.parametrize(
    "line,message",
    [
        ("{not json", "not JSON (Expecting property name"),
        (json.dumps({"id": "x", "title": "no text"}), "has no \"text\" field"),
        (json.dumps({"id": "x", "text": "   "}), "has no \"text\" field"),
        (json.dumps(["a", "list"]), "expected a JSON object, found list"),
    ],
)
def test_ingest_bad_jsonl_line_names_file_and_line(tmp_path, line, message):
    path = tmp_path / "corpus.jsonl"
    path.write_text(json.dumps({"id": "ok", "text": REPORT}, ensure_ascii=False) + "\n" + line + "\n", encoding="utf-8")
    good, bad = iter_reports([path])
    assert isinstance(good, Report) and isinstance(bad, Failure)
    assert bad.error.startswith(f"{path}:2: ") and message in bad.error


def test_ingest_missing_path(tmp_path):
    assert "no such file or folder" in failure_of(tmp_path / "missing.txt")


def test_ingest_folder_with_no_reports(tmp_path):
    (tmp_path / "empty").mkdir()
    assert "the folder holds no report files" in failure_of(tmp_path / "empty")


def test_ingest_bad_input_among_good_input_is_not_skipped(tmp_path):
    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"")
    (tmp_path / "c.txt").write_text(REPORT, encoding="utf-8")
    results = list(iter_reports([tmp_path]))
    assert [type(r).__name__ for r in results] == ["Report", "Failure", "Report"]


def test_ingest_html_without_known_container_takes_deepest_element_with_most_text(tmp_path):
    body = "".join(f"<p>第{i}条:全年共受理法律援助案件385件,办结率达到百分之百。</p>" for i in range(5))
    html = f"<html><body><div><a href='/'>首页</a></div><section><div>{body}</div></section><div>版权所有</div></body></html>"
    path = tmp_path / "plain.html"
    path.write_text(html, encoding="utf-8")
    report = ingest_one(path)
    assert "版权所有" not in report.text and "首页" not in report.text
    assert report.text.count("受理法律援助案件") == 5
