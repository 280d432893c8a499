"""The shipped dataset: its shape per document, its links across documents, and its accounts."""

from __future__ import annotations

import pytest

from api.config import ROOT
from api.coverage import coverage_problems, render_coverage
from api.lint import statement_problems
from api.loader import Dataset, load_dataset
from api.yamlio import format_files


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return load_dataset(ROOT / "data")


@pytest.mark.parametrize(
    ("document", "claims", "sources", "contradictions", "corroborations"),
    [
        ("documents/000.yaml", 23, 4, 1, 2),
        ("documents/001.yaml", 31, 6, 2, 7),
        ("documents/002.yaml", 30, 7, 2, 5),
        ("documents/003.yaml", 35, 6, 2, 3),
    ],
)
def test_document_shape(ds, document, claims, sources, contradictions, corroborations):
    doc = ds.documents[document]
    assert (len(doc.claims), 1 + len(doc.sources), len(doc.contradictions), len(doc.corroborations)) == (
        claims, sources, contradictions, corroborations,
    )


def test_totals(ds):
    assert (len(ds.actors), len(ds.sources), len(ds.claims)) == (76, 24, 119)
    assert (len(ds.contradictions), len(ds.corroborations)) == (17, 22)


def test_held_documents_are_the_corpus_verbatim(ds):
    shared = ROOT.parent / "shared" / "corpus"
    for doc in ds.documents.values():
        shipped = (ROOT / "data" / str(doc.source.text_file)).read_bytes()
        original = shared / str(doc.source.text_file).removeprefix("corpus/")
        if original.exists():
            assert shipped == original.read_bytes()
        assert ds.texts[doc.source.id] == shipped.decode("utf-8")


def test_cross_document_contradictions(ds):
    def sides(xid: str) -> dict[str, str]:
        return {m.claim: m.side.value for m in ds.contradictions[xid].claims}

    assert sides("missile-plan-vs-no-deliveries-seen") == {
        "sisi-planned-40000-missiles-for-russia": "a",
        "sisi-planned-missile-shipment-to-russia": "a",
        "ar-sisi-planned-40000-missiles-for-russia": "a",
        "us-representative-saw-no-missile-deliveries": "b",
    }
    assert sides("missile-plan-vs-plan-abandoned")["ar-egypt-dropped-missile-plan"] == "b"
    assert sides("discord-posting-february-march-vs-april") == {
        "secret-us-files-posted-on-discord-in-february-and-march": "a",
        "ar-us-documents-published-on-discord-in-april": "b",
    }
    assert ds.contradictions["discord-posting-february-march-vs-april"].kind.value == "date_mismatch"
    assert ds.contradictions["putin-visit-expected-november-2013-vs-february-2015-visit"].kind.value == "expectation_vs_outcome"
    assert ds.contradictions["egypt-us-relations-cooled-2015-vs-closest-allies-2023"].status.value == "reconciled"
    cross = [x for x in ds.contradictions if ds.origin[f"contradiction:{x}"] == "links.yaml"]
    for xid in cross:
        documents = {ds.origin[f"claim:{m.claim}"] for m in ds.contradictions[xid].claims}
        assert len(documents) >= 2, xid


def test_citation_chain_of_the_english_report(ds):
    assert sorted(ds.ancestors("buna-times-2023-sisi-missiles-for-russia")) == sorted([
        "buna-times-2023-sisi-missiles-for-russia",
        "racurs-2023-report-on-egypt-missiles-for-russia",
        "washington-post-2023-egypt-missiles-report",
        "us-intelligence-document-2023-02-17",
        "discord-leak-2023",
    ])
    assert ds.sources["us-intelligence-document-2023-02-17"].part_of == "discord-leak-2023"


def test_citation_chain_of_the_arabic_report(ds):
    claim = ds.claims["ar-sisi-planned-40000-missiles-for-russia"]
    assert ds.claim_origins(claim) == {"discord-leak-2023"}
    assert "discord-leak-2023" in ds.sources["alkhaleej-aljadeed-2023-09-26-russia-egypt-security-talks"].cites
    assert ds.shared_origins(["sisi-planned-40000-missiles-for-russia", "ar-sisi-planned-40000-missiles-for-russia"]) == [
        "discord-leak-2023"
    ]
    assert ds.shared_origins(["egypt-largest-recipient-of-us-aid", "wsj-egypt-receives-billions-in-us-military-aid"]) == []


def test_every_statement_is_supported_by_its_evidence(ds):
    assert statement_problems(ds) == []


def test_every_passage_and_claim_is_accounted_for(ds):
    assert coverage_problems(ds) == []


def test_coverage_account_is_current(ds):
    committed = (ROOT / "data" / "COVERAGE.md").read_text(encoding="utf-8")
    assert committed == render_coverage(ds), "data/COVERAGE.md is stale: run `python -m api.cli coverage`"


def test_dataset_files_are_canonical():
    assert format_files(ROOT / "data", write=False) == []


def test_statement_check_catches_an_unsupported_number(ds):
    claim = ds.claims["us-representative-saw-no-missile-deliveries"]
    ds.claims[claim.id] = claim.model_copy(update={"statement": "The US representative saw 300 missiles delivered to Russia."})
    try:
        assert statement_problems(ds) == [
            "documents/000.yaml: claim 'us-representative-saw-no-missile-deliveries': statement has the number '300',"
            " which its evidence does not",
        ]
    finally:
        ds.claims[claim.id] = claim


def test_statement_check_catches_an_unsupported_name(ds):
    claim = ds.claims["us-representative-saw-no-missile-deliveries"]
    ds.claims[claim.id] = claim.model_copy(update={"statement": "Blinken said no deliveries were seen."})
    try:
        assert statement_problems(ds) == [
            "documents/000.yaml: claim 'us-representative-saw-no-missile-deliveries': statement names 'Blinken',"
            " which neither its evidence nor its actors do",
        ]
    finally:
        ds.claims[claim.id] = claim
