"""A domain word segmenter trained with spacy_pkuseg.train, for the segmenter ablation.

spacy-pkuseg's pretrained models cannot be downloaded here and no hand-segmented report text
exists, so the training data is silver: the train split's reports cut by jieba's dictionary
(HMM off), with every boundary of a gold span of the train split forced to be a word
boundary. The model thus learns where report spans start and end; whether that helps is
measured by how many dev/test gold spans its tokens can represent (experiments alignment).

    python -m fazhi.training.segmenter training/pkuseg --iterations 10
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

import typer

from fazhi.annotation import AnnotatedDoc

from .gold import GOLD_FILE, read_gold
from .sources import PROJECT_ROOT

MANIFEST = PROJECT_ROOT / "annotations" / "splits.json"


def silver_words(doc: AnnotatedDoc, segmenter) -> list[list[str]]:
    """jieba words of each non-empty line, split again at every gold span boundary."""
    cuts = {edge for span in doc.spans for edge in (span.start, span.end)}
    lines, offset = [], 0
    for line in doc.text.split("\n"):
        words = []
        for word, start, end in segmenter.tokenize(line, HMM=False):
            pieces = [start] + [i for i in range(start + 1, end) if offset + i in cuts] + [end]
            words.extend(line[a:b] for a, b in zip(pieces, pieces[1:]))
        words = [w for w in words if w.strip()]
        if words:
            lines.append(words)
        offset += len(line) + 1
    return lines


def write_corpus(docs: list[AnnotatedDoc], path: Path, segmenter) -> int:
    count = 0
    with open(path, "w", encoding="utf-8") as out:
        for doc in docs:
            for words in silver_words(doc, segmenter):
                out.write(" ".join(w.replace(" ", "") for w in words if w.replace(" ", "")) + "\n")
                count += 1
    return count


def main(out: Path = typer.Argument(..., help="Folder for the pkuseg model."),
         iterations: int = typer.Option(10, help="Training iterations of pkuseg's CRF.")) -> None:
    import jieba
    import spacy_pkuseg

    jieba.setLogLevel(logging.WARNING)
    segmenter = jieba.Tokenizer()
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    gold = {doc.doc_id: doc for doc in read_gold(GOLD_FILE)}
    with tempfile.TemporaryDirectory() as folder:
        train, dev = Path(folder) / "train.txt", Path(folder) / "dev.txt"
        lines = write_corpus([gold[i] for i in manifest["train"]], train, segmenter)
        write_corpus([gold[i] for i in manifest["dev"]], dev, segmenter)
        typer.echo(f"{lines} silver-segmented training lines", err=True)
        cwd = os.getcwd()
        os.chdir(folder)  # pkuseg writes its temporary files into the working directory
        try:
            spacy_pkuseg.train(str(train), str(dev), str(out.resolve()), train_iter=iterations)
        finally:
            os.chdir(cwd)


if __name__ == "__main__":
    typer.run(main)
