"""Detection over a whole dataset compares what a write compares: under each key a claim looks up, the `near`
claims stored there just before it by id and the `near` just after (api/engine/detect.py `NEIGHBOURS`), each pair
once whichever claim finds it."""

from __future__ import annotations

from functools import cache

from api.config import ROOT
from api.dataset.loader import load_dataset
from api.engine.detect import NEIGHBOURS, Index, detect_all, detect_pair, lookups
from api.engine.propositions import Facts
from api.engine.run import dataset_facts, world_of
from api.engine.world import World


@cache
def _shipped() -> tuple[list[Facts], World]:
    ds = load_dataset(ROOT / "data")
    world = world_of(ds)
    return dataset_facts(ds, world), world


@cache
def _as_writes_compare(near: int | None) -> list[tuple[str, str, str]]:
    """The detections over the pairs a write of each claim would compare, found key by key from the stored lists."""
    facts, world = _shipped()
    index = Index(facts, world)
    pairs: set[tuple[str, str]] = set()
    by_id = {f.id: f for f in facts}
    for f in facts:
        look = lookups(f, world)
        for table, keys in ((index.by_key, look.keys), (index.by_pair, look.pairs), (index.by_speaker, look.speakers),
                            (index.by_outcome, look.outcomes)):
            for key in keys:
                stored = sorted(g.id for g in table.get(key, []) if g.id != f.id)
                below, above = [i for i in stored if i < f.id], [i for i in stored if i > f.id]
                for other in stored if near is None else below[-near:] + above[:near]:
                    pairs.add((min(f.id, other), max(f.id, other)))
    found = [d for a, b in sorted(pairs) for d in detect_pair(by_id[a], by_id[b], world)]
    return sorted((d.rule, d.a, d.b) for d in found)


def _detected(near: int | None) -> list[tuple[str, str, str]]:
    facts, world = _shipped()
    return [(d.rule, d.a, d.b) for d in detect_all(facts, world, near=near)]


def test_uncapped_detection_compares_every_pair_that_shares_a_key():
    expected = _as_writes_compare(None)
    assert len(expected) > 20
    assert _detected(None) == expected


def test_detection_among_neighbours_compares_the_pairs_a_write_would():
    # With one neighbour on each side the shipped dataset's larger keys are cut, so the window is what decides.
    expected = _as_writes_compare(1)
    assert _detected(1) == expected
    assert len(expected) < len(_as_writes_compare(None))


def test_the_shipped_dataset_is_compared_in_full_under_the_neighbour_window():
    assert _detected(NEIGHBOURS) == _as_writes_compare(None)
