"""The engine over the whole curated dataset: propositions, detections and their evaluation.

`python -m api.cli detect` prints what the rules find; with `--evaluate` it compares that with the
curated relations (which the rules never see) and prints recall and precision per kind.
"""

from __future__ import annotations

from api.dataset.loader import Dataset
from api.engine.detect import detect_all
from api.engine.evaluate import Evaluation, evaluate
from api.engine.propositions import Facts, facts_of
from api.engine.rules import Detection
from api.engine.world import World
from schemas.vocab import CorroborationKind, CorroborationStatus


def world_of(ds: Dataset) -> World:
    return World(actors=ds.actors, roles_of=ds.roles_of, sources=ds.sources, knowledge=ds.knowledge)


def dataset_facts(ds: Dataset, world: World | None = None) -> list[Facts]:
    w = world or world_of(ds)
    return [facts_of(c, w) for c in ds.claims.values()]


def detect_dataset(ds: Dataset) -> tuple[list[Facts], list[Detection]]:
    world = world_of(ds)
    facts = dataset_facts(ds, world)
    return facts, detect_all(facts, world)


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
