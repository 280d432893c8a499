"""The engine over the whole curated dataset: propositions, detections and their evaluation.

`python -m api.cli detect` prints what the rules find; with `--evaluate` it compares that with the
curated relations (which the rules never see) and prints recall and precision per kind.
"""

from __future__ import annotations

from typing import Any

from api.dataset.loader import Dataset
from api.engine.adopt import place, relation_of
from api.engine.detect import NEIGHBOURS, detect_all
from api.engine.evaluate import Evaluation, evaluate
from api.engine.propositions import Facts, facts_of, group
from api.engine.rules import Detection
from api.engine.world import World, world_in
from schemas.vocab import CorroborationKind, CorroborationStatus

DETECTED_FILE = "detected"
"""The file proposed relations are placed in: none. Export writes a detected relation to links.yaml
only once a person has confirmed or rejected it."""


def world_of(ds: Dataset) -> World:
    return world_in(ds)


def dataset_facts(ds: Dataset, world: World | None = None) -> list[Facts]:
    w = world or world_of(ds)
    return [facts_of(c, w) for c in ds.claims.values()]


def detect_dataset(ds: Dataset) -> tuple[list[Facts], list[Detection]]:
    world = world_of(ds)
    facts = dataset_facts(ds, world)
    return facts, detect_all(facts, world, near=NEIGHBOURS)


def evaluate_dataset(ds: Dataset) -> tuple[list[Detection], Evaluation]:
    """Detections with the curated relations unseen, scored against them. Two claims count as alike when
    drawn from the same words, or confirmed as one proposition by a curated corroboration."""
    facts, detections = detect_dataset(ds)
    by_id = {f.id: f for f in facts}
    same: dict[str, set[str]] = {}
    for y in ds.corroborations.values():
        if y.status is not CorroborationStatus.REJECTED and y.kind is CorroborationKind.SAME_PROPOSITION:
            for cid in y.claims:
                same.setdefault(cid, set()).update(y.claims)

    def alike(x: str, y: str) -> bool:
        return x == y or by_id[x].same_words(by_id[y]) or y in same.get(x, set())

    return detections, evaluate(detections, ds.contradictions, ds.corroborations, alike)


def prepare(ds: Dataset) -> list[Detection]:
    """Run the engine over a loaded dataset before it is stored: every claim's proposition, and the
    relations the rules find, recorded in the `detected_by` of the curated relation they confirm or
    added as proposed relations (file `detected`, which export leaves out until a person reviews them).
    Returns the detections."""
    world = world_of(ds)
    facts = dataset_facts(ds, world)
    ds.propositions = {f.id: p.id for p in group(facts) for f in p.claims}
    detections = detect_all(facts, world, near=NEIGHBOURS)
    for d in detections:
        where = place(d, ds)
        table: dict[str, Any] = ds.contradictions if d.relation == "contradiction" else ds.corroborations
        if where.action == "detected_by" and where.relation_id:
            rel = table[where.relation_id]
            if d.rule not in rel.detected_by:
                table[where.relation_id] = rel.model_copy(update={"detected_by": sorted({*rel.detected_by, d.rule})})
        elif where.action == "new":
            table[d.id] = relation_of(d)
            ds.origin[f"{d.relation}:{d.id}"] = DETECTED_FILE
    ds.reindex()
    return detections
