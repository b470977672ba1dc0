"""Side-by-side F1 tables (with 95% bootstrap intervals) of result files in results/.

    python -m fazhi.training.results_table rules_test default_ner_spancat_test ours_test
"""

from __future__ import annotations

import json
import sys

from fazhi.scoring import ORDER

from .experiments import RESULTS


def table(names: list[str]) -> str:
    summaries = {name: json.loads((RESULTS / f"{name}.json").read_text(encoding="utf-8"))["summary"] for name in names}
    lines = ["| label | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for label in ORDER:
        cells = []
        for name in names:
            s = summaries[name].get(label)
            cells.append(f"{s['f']:.3f} [{s.get('f_low', 0):.3f}–{s.get('f_high', 0):.3f}]" if s else "–")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(sys.argv[1:]))
