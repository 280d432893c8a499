"""A proposition's story as steps over time (api/engine/propositions.py): which claims make one step, in
what order the steps come, and how the status line reads."""

from __future__ import annotations

from api.engine.propositions import Facts, Key, status_line, steps_of
from api.engine.world import span_of
from schemas.dataset import ClaimIn
from schemas.vocab import Evidential, Modality, Polarity

KEY = Key("arms-flow", "borduria", "syldavia", "rockets")
NAMES = {"gazette": "North Gazette", "herald": "South Herald", "monitor": "Ostland monitor"}


def _facts(claim_id: str, modality: Modality, *, event: str | None = None, published: str | None = None,
           negated: bool = False, observed: bool = False, claimant: str = "gazette") -> Facts:
    claim = ClaimIn.model_construct(
        id=claim_id, modality=modality, polarity=Polarity.NEGATED if negated else Polarity.AFFIRMED,
        evidential=Evidential.OBSERVED if observed else Evidential.ASSERTED, claimant=claimant, evidence=[],
    )
    when = span_of(event) if event else span_of(published) if published else None
    basis = "event" if event else "published" if published else "unknown"
    return Facts(claim=claim, key=KEY, event=span_of(event) if event else None, when=when, when_basis=basis, speakers=())


def test_a_later_undated_report_of_a_plan_joins_the_plan():
    claims = [
        _facts("plan-reported-later", Modality.PLANNED, published="2023-09-26", claimant="herald"),
        _facts("plan", Modality.PLANNED, event="2023-02"),
        _facts("not-seen", Modality.ACTUAL, published="2023", negated=True, observed=True, claimant="monitor"),
        _facts("dropped", Modality.ABANDONED, published="2023-09-26", claimant="herald"),
    ]
    assert [(s.step, [f.id for f in s.claims]) for s in steps_of(claims)] == [
        ("planned", ["plan", "plan-reported-later"]),
        ("not observed", ["not-seen"]),
        ("abandoned", ["dropped"]),
    ]
    assert status_line(claims, NAMES) == (
        "planned (Feb 2023; North Gazette, South Herald) → not observed (Ostland monitor) → abandoned (South Herald)"
    )


def test_a_plan_taken_up_again_after_it_was_dropped_is_a_new_step():
    claims = [
        _facts("plan-2013", Modality.PLANNED, event="2013"),
        _facts("dropped-2015", Modality.ABANDONED, event="2015-06"),
        _facts("plan-2020", Modality.PLANNED, event="2020-03-01"),
    ]
    assert status_line(claims, NAMES) == (
        "planned (2013; North Gazette) → abandoned (Jun 2015; North Gazette) → planned (1 Mar 2020; North Gazette)"
    )


def test_on_one_day_the_aim_comes_before_what_became_of_it():
    claims = [
        _facts("a-done", Modality.ACTUAL, published="2024-05-01", claimant="herald"),
        _facts("b-planned", Modality.PLANNED, published="2024-05-01"),
    ]
    assert status_line(claims, NAMES) == "planned (North Gazette) → done (South Herald)"


def test_a_period_of_events_keeps_its_place_before_an_aim_within_it():
    claims = [
        _facts("sought", Modality.INTENDED, published="2013-11", claimant="herald"),
        _facts("none-sold", Modality.ACTUAL, event="2013", negated=True),
    ]
    assert status_line(claims, NAMES) == "denied (2013; North Gazette) → sought (South Herald)"


def test_keys_read_back_as_written():
    assert Key.parse(str(KEY)) == KEY
    assert Key.parse("denial|egypt|-|-") == Key("denial", "egypt", None, None)
