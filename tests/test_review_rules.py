"""The rules a fact-checking desk's review asks of the dataset, as `check` enforces them.

Each test puts back one fault the review found (the example of its kind) into a copy of data/ and
asserts the exact problem the loader reports: whose words the evidence is, attribution spans, and
relations that are not conflicts, not corroborations, or repeats.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from api.config import ROOT
from api.dataset.loader import DatasetError, load_dataset, read_yaml
from api.dataset.yamlio import dump, model_for

Raw = dict[str, Any]


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(ROOT / "data", target)
    return target


def _change(data: Path, file: str, edit: Callable[[Raw], None]) -> None:
    path = data / file
    raw = read_yaml(path.read_text(encoding="utf-8"))
    edit(raw)
    path.write_text(dump(model_for(path).model_validate(raw)), encoding="utf-8")


def _item(raw: Raw, section: str, item_id: str) -> Raw:
    return next(i for i in raw[section] if i["id"] == item_id)


def _problems(data: Path) -> list[str]:
    with pytest.raises(DatasetError) as exc:
        load_dataset(data)
    return exc.value.problems


def test_the_shipped_dataset_passes_every_rule():
    load_dataset(ROOT / "data")


def test_a_paraphrase_is_not_the_claim_of_the_person_it_describes(data_copy):
    def edit(raw: Raw) -> None:
        _item(raw, "claims", "salah-al-din-would-order-work-in-shifts-to-thank-russia")["claimant"] = "salah-al-din"

    _change(data_copy, "documents/000.yaml", edit)
    assert _problems(data_copy) == [
        "documents/000.yaml: claim 'salah-al-din-would-order-work-in-shifts-to-thank-russia': field claimant: 'salah-al-din'"
        " is only reported (indirect speech), never quoted: a reported account of someone's words is the reporter's claim;"
        " make the reporter the claimant",
    ]


def test_the_outlets_lede_is_not_the_speakers_words(data_copy):
    def edit(raw: Raw) -> None:
        claim = _item(raw, "claims", "patrushev-says-west-pressed-egypt-over-arms-for-ukraine")
        claim["claimant"] = "nikolai-patrushev"
        claim["evidence"][0]["speech"] = "direct"

    _change(data_copy, "documents/003.yaml", edit)
    assert _problems(data_copy) == [
        "documents/003.yaml: claim 'patrushev-says-west-pressed-egypt-over-arms-for-ukraine': field evidence[0].speech:"
        " direct speech gives the speaker's own words, but the quote has neither quotation marks nor a first-person word:"
        " is it indirect speech or narration?",
    ]


def test_narration_belongs_to_its_reporter(data_copy):
    """The US government's claim as Buna Times words it is Buna Times' claim, whoever it is about."""

    def edit(raw: Raw) -> None:
        claim = _item(raw, "claims", "north-korea-secretly-supplying-russia-artillery-shells")
        claim["claimant"] = "united-states"
        del claim["evidence"][0]["speaker"]
        claim["evidence"][0]["speech"] = "narration"

    _change(data_copy, "documents/000.yaml", edit)
    assert _problems(data_copy) == [
        "documents/000.yaml: claim 'north-korea-secretly-supplying-russia-artillery-shells': field claimant: evidence[0] is"
        " narration, the words of its reporter, so the claimant must be its voice ('buna-times', 'david-wyatt'), not"
        " 'united-states'",
    ]


def test_direct_speech_is_its_speakers_claim(data_copy):
    def edit(raw: Raw) -> None:
        claim = _item(raw, "claims", "us-representative-saw-no-missile-deliveries")
        claim["claimant"] = "buna-times"

    _change(data_copy, "documents/000.yaml", edit)
    assert _problems(data_copy) == [
        "documents/000.yaml: claim 'us-representative-saw-no-missile-deliveries': field evidence[0].speaker: direct speech is"
        " its speaker's claim, but the speaker is 'unnamed-us-representative' and the claimant 'buna-times'",
    ]


def test_speech_and_speaker_go_together(data_copy):
    def edit(raw: Raw) -> None:
        claims = raw["claims"]
        del _item({"claims": claims}, "claims", "north-korea-secretly-supplying-russia-artillery-shells")["evidence"][0]["speaker"]
        _item({"claims": claims}, "claims", "blinken-visited-cairo")["evidence"][0]["speaker"] = "anthony-blinken"

    _change(data_copy, "documents/000.yaml", edit)
    assert _problems(data_copy) == [
        "documents/000.yaml: claim 'north-korea-secretly-supplying-russia-artillery-shells': field evidence[0].speaker:"
        " indirect speech needs a speaker: whose speech the span reports",
        "documents/000.yaml: claim 'blinken-visited-cairo': field evidence[0].speaker: narration reports no one's speech:"
        " drop the speaker, or mark the item direct or indirect speech",
    ]


def test_a_passage_relayed_from_a_source_is_attributed_to_it_whole(data_copy):
    def edit(raw: Raw) -> None:
        del _item(raw, "claims", "sisi-one-of-washingtons-closest-allies-in-middle-east")["evidence"][0]["attributed_to"]

    _change(data_copy, "documents/000.yaml", edit)
    problems = _problems(data_copy)
    assert (
        "documents/000.yaml: claim 'sisi-one-of-washingtons-closest-allies-in-middle-east': field evidence[0].attributed_to:"
        " the span 449-526 overlaps claim 'egypt-largest-recipient-of-us-aid''s evidence[0] (449-562), attributed to"
        " 'washington-post-2023-egypt-missiles-report' where this one is attributed to nothing (the document's own voice):"
        " a passage relayed from a source is attributed to it whole"
    ) in problems
    assert all("attributed_to" in p or "voice" in p for p in problems)


def test_one_sentence_split_into_a_contradiction_is_refused(data_copy):
    def edit(raw: Raw) -> None:
        x = _item(raw, "contradictions", "egypt-us-close-allies-vs-relations-cooled-under-sisi")
        x["status"], x["resolution"] = "open", None

    _change(data_copy, "documents/002.yaml", edit)
    assert _problems(data_copy) == [
        "documents/002.yaml: contradiction 'egypt-us-close-allies-vs-relations-cooled-under-sisi': field claims:"
        " 'egypt-us-close-allies-for-decades' (side a) and 'egypt-us-relationship-suffered-after-morsi-ouster' (side b)"
        " come from one passage (source 'russia-and-egypt-just-got-even-closer-2015', 1508-1651): a passage does not"
        " contradict itself",
    ]


def test_one_passage_split_into_a_corroboration_is_refused(data_copy):
    def edit(raw: Raw) -> None:
        y = _item(raw, "corroborations", "sisi-secret-missiles-production-and-shipment-plans")
        y["status"], y["resolution"] = "confirmed", None

    _change(data_copy, "documents/000.yaml", edit)
    assert _problems(data_copy) == [
        "documents/000.yaml: corroboration 'sisi-secret-missiles-production-and-shipment-plans': field claims:"
        " 'sisi-planned-missile-shipment-to-russia' and 'sisi-planned-40000-missiles-for-russia' come from one passage"
        " (source 'buna-times-2023-sisi-missiles-for-russia', 0-242): a passage does not corroborate itself",
    ]


def test_a_duplicate_contradiction_is_refused(data_copy):
    """The neutrality conflict recorded twice: once from the English reports of the plan, once from the Arabic."""

    def edit(raw: Raw) -> None:
        x = _item(raw, "contradictions", "egypt-neutral-stance-vs-secret-missile-plan-for-russia-003")
        x["status"], x["resolution"] = "open", None

    _change(data_copy, "documents/003.yaml", edit)
    assert _problems(data_copy) == [
        "documents/003.yaml: contradiction 'egypt-neutral-stance-vs-secret-missile-plan-for-russia-003': field claims:"
        " it repeats contradiction 'egypt-neutrality-vs-arms-plans-for-russia' (each side holds one of its claims, a claim"
        " drawn from the same words, or one corroborated as the same proposition); merge them",
        "links.yaml: contradiction 'egypt-neutrality-vs-arms-plans-for-russia': field claims: it repeats contradiction"
        " 'egypt-neutral-stance-vs-secret-missile-plan-for-russia-003' (each side holds one of its claims, a claim drawn"
        " from the same words, or one corroborated as the same proposition); merge them",
    ]


def test_the_same_sentence_twice_against_one_claim_is_a_duplicate(data_copy):
    """The 2013 aim and the "no deal since the 1970s" presupposition are one sentence set twice against the 2014 deal."""

    def edit(raw: Raw) -> None:
        for xid in ("putin-arms-deal-aim-2013-vs-deal-signed-2014", "no-major-arms-deal-since-1970s-vs-deal-signed-2014"):
            x = _item(raw, "contradictions", xid)
            x["status"], x["resolution"] = "open", None

    _change(data_copy, "links.yaml", edit)
    problems = _problems(data_copy)
    assert [p.split(": field claims: ")[1].split(" (")[0] for p in problems] == [
        "it repeats contradiction 'no-major-arms-deal-since-1970s-vs-deal-signed-2014'",
        "it repeats contradiction 'putin-arms-deal-aim-2013-vs-deal-signed-2014'",
    ]


def test_a_rejected_relation_needs_its_reason(data_copy):
    def edit(raw: Raw) -> None:
        del _item(raw, "corroborations", "us-aid-to-egypt-english-and-arabic")["resolution"]

    with pytest.raises(ValueError, match="status 'rejected' needs a resolution saying how or why"):
        _change(data_copy, "links.yaml", edit)


def test_an_unnamed_speaker_says_whom_it_speaks_for(data_copy):
    def edit(raw: Raw) -> None:
        del _item(raw, "actors", "unnamed-officials-russia-egypt-talks-000")["speaks_for"]

    _change(data_copy, "documents/001.yaml", edit)
    problems = _problems(data_copy)
    assert problems[0] == (
        "documents/001.yaml: actor 'unnamed-officials-russia-egypt-talks-000': field speaks_for: unnamed actor"
        " 'unnamed-officials-russia-egypt-talks-000' is the claimant or speaker of 12 claim(s), so it needs speaks_for:"
        " whom it speaks for"
    )
    assert problems[1] == (
        "documents/001.yaml: claim 'officials-term-russia-egypt-strategic-talks-unprecedented': field evidence[0].speaker:"
        " unnamed actor 'unnamed-officials-russia-egypt-talks-000' needs speaks_for: whom it speaks for"
    )
    assert len(problems) == 13
