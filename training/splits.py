"""Document splits that keep near-duplicate reports on one side.

Groups: reports of the same region (the same issuer in consecutive years) and reports whose
character-trigram TF-IDF cosine is at least `SIMILAR` (copied wording) are joined, as
connected components. Train/dev/test (about 70/15/15 of documents) is filled group by group
in a fixed pseudo-random order, with the seeds kept out of test; the five cross-validation
folds over train+dev come from scikit-learn's GroupKFold on the same groups.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity
from sklearn.model_selection import GroupKFold

SIMILAR = 0.5
SHARES = {"test": 0.15, "dev": 0.15}
N_FOLDS = 5


def near_duplicate_groups(doc_ids: list[str], texts: list[str], regions: list[str | None]) -> list[int]:
    parent = list(range(len(doc_ids)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(i: int, j: int) -> None:
        parent[find(i)] = find(j)

    vectors = TfidfVectorizer(analyzer="char", ngram_range=(3, 3), sublinear_tf=True).fit_transform(texts)
    similarity = cosine_similarity(vectors)
    for i in range(len(doc_ids)):
        for j in range(i + 1, len(doc_ids)):
            if similarity[i, j] >= SIMILAR or (regions[i] and regions[i] == regions[j]):
                join(i, j)
    roots = [find(i) for i in range(len(doc_ids))]
    numbering = {root: n for n, root in enumerate(dict.fromkeys(roots))}
    return [numbering[root] for root in roots]


def _order_key(group: int, salt: str) -> str:
    return hashlib.sha256(f"{salt}:{group}".encode()).hexdigest()


def make_splits(doc_ids: list[str], texts: list[str], regions: list[str | None], seeds: set[str],
                salt: str = "fazhi-2026") -> dict:
    groups = near_duplicate_groups(doc_ids, texts, regions)
    members: dict[int, list[str]] = {}
    for doc_id, group in zip(doc_ids, groups):
        members.setdefault(group, []).append(doc_id)
    split_of: dict[str, str] = {}
    targets = {name: round(share * len(doc_ids)) for name, share in SHARES.items()}
    filled = {name: 0 for name in SHARES}
    for group in sorted(members, key=lambda g: _order_key(g, salt)):
        ids = members[group]
        has_seed = bool(seeds & set(ids))
        for name in ("test", "dev"):
            if name == "test" and has_seed:
                continue
            if filled[name] + len(ids) <= targets[name] + 1:
                filled[name] += len(ids)
                split_of.update({doc_id: name for doc_id in ids})
                break
        else:
            split_of.update({doc_id: "train" for doc_id in ids})
    manifest = {name: sorted(d for d in doc_ids if split_of[d] == name) for name in ("train", "dev", "test")}
    pool = [d for d in doc_ids if split_of[d] != "test"]
    pool_groups = [groups[doc_ids.index(d)] for d in pool]
    folds = []
    for _, held in GroupKFold(n_splits=N_FOLDS).split(pool, groups=pool_groups):
        folds.append(sorted(pool[i] for i in held))
    manifest["folds"] = folds
    manifest["groups"] = {doc_id: group for doc_id, group in zip(doc_ids, groups)}
    manifest["method"] = (
        f"near-duplicate groups: same region, or char-trigram TF-IDF cosine >= {SIMILAR}; "
        f"test/dev filled group by group (sha256 order, salt {salt!r}), seeds never in test; "
        f"{N_FOLDS} GroupKFold folds over train+dev"
    )
    return manifest


def write_manifest(manifest: dict, path: Path) -> None:
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def region_key(region: str | None) -> str | None:
    """The innermost unit of a region chain: 浙江省金华市金东区 -> 金东区."""
    if not region:
        return None
    import re

    units = re.findall(r"[\u4e00-\u9fff]+?(?:自治区|自治州|自治县|省|市|盟|地区|县|区|旗)", region)
    return units[-1] if units else region
