"""Switch the span categorizers of a trained pipeline from spaCy's SpanCategorizer.v1 with
mean_max_reducer.v1 to fazhi.SpanCategorizer.v1, which computes the same function faster
(pipeline/span_vectors.py). The trained layers (listener, hidden Maxout, scorer) are reused
as they are, so predictions do not change; only the span pooling is replaced.

    python -m fazhi.training.fast_spancat IN_MODEL OUT_MODEL
"""

from __future__ import annotations

from pathlib import Path

import spacy
import typer
from spacy.language import Language

from fazhi.span_vectors import span_categorizer

OLD_ARCHITECTURE = "spacy.SpanCategorizer.v1"
OLD_REDUCER = "spacy.mean_max_reducer.v1"


def switch(nlp: Language) -> list[str]:
    """Switch every spancat of `nlp` that uses spaCy's mean_max reducer; returns their names."""
    switched = []
    for name, pipe in nlp.pipeline:
        settings = nlp.get_pipe_config(name).get("model", {})
        if settings.get("@architectures") != OLD_ARCHITECTURE or settings.get("reducer", {}).get("@layers") != OLD_REDUCER:
            continue
        maxout = pipe.model.get_ref("reducer").layers[-1]  # chain(concatenate(last, first, mean, max), Maxout)
        pipe.model = span_categorizer(pipe.model.get_ref("tok2vec"), maxout, pipe.model.get_ref("scorer"))
        nlp.get_pipe_config(name)["model"] = {
            "@architectures": "fazhi.SpanCategorizer.v1", "hidden_size": settings["reducer"]["hidden_size"],
            "scorer": settings["scorer"], "tok2vec": settings["tok2vec"],
        }
        switched.append(name)
    return switched


def main(model: Path, out: Path) -> None:
    nlp = spacy.load(model)
    names = switch(nlp)
    nlp.to_disk(out)
    typer.echo(f"switched {', '.join(names) or 'nothing'}; wrote {out}")


if __name__ == "__main__":
    typer.run(main)
