"""`fazhi show` pages, rendered by a real headless Chromium (Debian's chromium)."""

import shutil
import subprocess

import numpy
import pytest
import spacy
from PIL import Image

from fazhi.extract import extract
from fazhi.schema import COLOURS
from fazhi.show import render_page
from fazhi.tables import read_records

from conftest import ROOT

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium() -> str:
    path = shutil.which("chromium")
    assert path, "Debian's chromium is required (`make test` installs it: apt-get install chromium fonts-noto-cjk)"
    return path


def screenshot(page, tmp_path, name):
    html = tmp_path / f"{name}.html"
    html.write_text(page, encoding="utf-8")
    png = tmp_path / f"{name}.png"
    command = [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / ('profile-' + name)}",
               "--window-size=1200,1600", f"--screenshot={png}", html.as_uri()]
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    dom = subprocess.run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / ('dom-' + name)}", "--dump-dom", html.as_uri()],
                         check=True, capture_output=True, text=True, timeout=120).stdout
    return Image.open(png).convert("RGB"), dom


def colour_pixels(image, hex_colour, tolerance=6):
    target = numpy.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)])
    return int((numpy.abs(numpy.asarray(image, dtype=int) - target).max(axis=2) <= tolerance).sum())


@pytest.fixture(scope="module")
def record(tmp_path_factory):
    folder = tmp_path_factory.mktemp("show")
    nlp = spacy.blank("zh")
    nlp.add_pipe("fazhi_rules")
    (folder / "r.txt").write_text("一、主要成效\n持续减少审批环节,不见面审批事项占比达到100%,即办件事项占比达到95.13%。"
                                  "区司法局召开4次联席会议。", encoding="utf-8")
    extract([folder / "r.txt"], folder / "out.jsonl", nlp)
    (record,) = read_records(folder / "out.jsonl")
    assert record["triples"], "the rule pipeline should find triples in this text"
    return record


def test_show_page_renders_spans_in_chromium(record, tmp_path):
    image, dom = screenshot(render_page(record), tmp_path, "with")
    assert image.size == (1200, 1600)
    assert len(numpy.unique(numpy.asarray(image.resize((120, 160))).reshape(-1, 3), axis=0)) > 20, "the screenshot is blank"
    for entity in record["entities"]:
        assert entity["text"] in dom
    assert dom.count("不见面审批事项占比") >= 2  # in the triples table and in the highlighted text
    assert "METRIC" in dom and "VALUE" in dom
    empty = dict(record, entities=[], relations=[], triples=[])
    baseline, _ = screenshot(render_page(empty), tmp_path, "without")
    for label in ("VALUE", "METRIC"):
        assert colour_pixels(image, COLOURS[label]) > colour_pixels(baseline, COLOURS[label]) + 200, label


def test_show_error_record_says_what_went_wrong():
    page = render_page({"doc_id": "x", "source": "x.pdf", "status": "error", "error": "x.pdf: the PDF is encrypted", "meta": {}})
    assert "the PDF is encrypted" in page


def test_show_cli_writes_page(tmp_path):
    from typer.testing import CliRunner

    from fazhi.cli import app

    nlp = spacy.blank("zh")
    nlp.add_pipe("fazhi_rules")
    nlp.to_disk(tmp_path / "model")
    out = tmp_path / "page.html"
    result = CliRunner().invoke(app, ["show", str(ROOT / "seeds" / "000_ad861a48ebe72b45.txt"), "-o", str(out), "--model", str(tmp_path / "model")])
    assert result.exit_code == 0, result.output
    assert "减少审批环节" in out.read_text(encoding="utf-8")
