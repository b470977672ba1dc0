"""The label set and relation signatures of ../shared/spec/schema.md."""

from __future__ import annotations

FLAT_LABELS = ("METRIC", "VALUE", "INSTITUTION")
MEASURE = "MEASURE"
SPAN_LABELS = (MEASURE, *FLAT_LABELS)
MEASURE_SPANS_KEY = "measure"
METRIC_SPANS_KEY = "metric"  # candidates scored by the value-anchored span categorizer

# relation -> (head label, tail label)
RELATIONS = {
    "HAS_VALUE": ("METRIC", "VALUE"),
    "MEASURED_BY": (MEASURE, "METRIC"),
    "INVOLVES": (MEASURE, "INSTITUTION"),
}

# Colours for Doccano and displaCy, one per label and relation.
COLOURS = {
    "MEASURE": "#fde68a",
    "METRIC": "#93c5fd",
    "VALUE": "#86efac",
    "INSTITUTION": "#f9a8d4",
    "HAS_VALUE": "#16a34a",
    "MEASURED_BY": "#2563eb",
    "INVOLVES": "#db2777",
}
