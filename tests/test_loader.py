"""The loader refuses invalid data, names what is wrong, and leaves the database untouched."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from api.config import ROOT, Settings
from api.dataset.loader import DatasetError, load_dataset
from api.store.db import make_engine
from api.store.seed import build_database


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(ROOT / "data", target)
    return target


@pytest.fixture
def built(empty_databases, data_copy: Path) -> tuple[Settings, str]:
    url = empty_databases.new()
    settings = Settings(database_url=url, data_dir=data_copy)
    assert build_database(settings) is True
    return settings, url


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _snapshot(url: str) -> tuple[str | None, int, bytes]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            fingerprint = conn.execute(text("SELECT value FROM meta WHERE key = 'fingerprint'")).scalar()
            count = conn.execute(text("SELECT count(*) FROM claim")).scalar()
            body = conn.execute(text("SELECT body FROM claim WHERE id = 'sisi-planned-40000-missiles-for-russia'")).scalar()
    finally:
        engine.dispose()
    return fingerprint, int(count or 0), bytes(body)


def _refused(settings: Settings, db: Path) -> str:
    before = _snapshot(db)
    with pytest.raises(DatasetError) as exc:
        build_database(settings)
    assert _snapshot(db) == before
    return "\n".join(exc.value.problems)


def test_build_is_skipped_when_current(built):
    settings, _ = built
    assert build_database(settings) is False


def test_shifted_offset_is_refused_with_its_place(built, data_copy):
    settings, db = built
    _edit(data_copy / "documents" / "000.yaml", "start: 840\n", "start: 841\n")
    problems = _refused(settings, db)
    [problem] = problems.splitlines()
    assert problem.startswith("documents/000.yaml: claims[")
    assert "(id 'us-representative-saw-no-missile-deliveries'): field claims[" in problem
    assert problem.endswith("].evidence[0]: Value error, end - start is 127 but the quote has 128 characters")


def test_quote_mismatch_names_claim_source_offsets_and_found_text(built, data_copy):
    settings, db = built
    path = data_copy / "documents" / "000.yaml"
    _edit(path, "start: 840\n", "start: 841\n")
    _edit(path, "end: 968\n", "end: 969\n")
    problems = _refused(settings, db)
    assert (
        "documents/000.yaml: claim 'us-representative-saw-no-missile-deliveries': field evidence[0]: quote does not match"
        " source 'buna-times-2023-sisi-missiles-for-russia' at offsets 841-969: the text there is 'e have not seen"
    ) in problems
    assert "the quote occurs at 840-968" in problems


def test_unknown_actor_is_refused(built, data_copy):
    settings, db = built
    _edit(data_copy / "documents" / "000.yaml", "claimant: unnamed-us-representative\n", "claimant: nobody-at-all\n")
    problems = _refused(settings, db)
    assert "documents/000.yaml: claim 'us-representative-saw-no-missile-deliveries': field claimant: unknown actor 'nobody-at-all'" in problems


def test_unknown_predicate_is_refused(built, data_copy):
    settings, db = built
    path = data_copy / "documents" / "003.yaml"
    text = path.read_text(encoding="utf-8")
    at = text.index("id: ar-egypt-dropped-missile-plan")
    path.write_text(text[:at] + text[at:].replace("predicate: supply_arms", "predicate: sell_rockets", 1), encoding="utf-8")
    problems = _refused(settings, db)
    assert "documents/003.yaml: claims[" in problems
    assert "(id 'ar-egypt-dropped-missile-plan'): field claims[" in problems
    assert "].predicate: Input should be 'produce_arms'," in problems


def test_bad_date_precision_is_refused(built, data_copy):
    settings, db = built
    _edit(data_copy / "sources.yaml", "date: 2023-02\n", "date: 2023-02-30\n")
    problems = _refused(settings, db)
    assert "sources.yaml: sources[0] (id 'discord-leak-2023'): field sources[0].published" in problems


def test_invalid_yaml_is_refused(built, data_copy):
    settings, db = built
    (data_copy / "links.yaml").write_text("contradictions: [\n", encoding="utf-8")
    assert "links.yaml: not valid YAML" in _refused(settings, db)


def test_uncovered_text_is_refused(data_copy):
    path = data_copy / "documents" / "002.yaml"
    text = path.read_text(encoding="utf-8")
    at = text.index("coverage:")
    path.write_text(text[:at] + "coverage:\n  - start: 0\n    end: 9\n    reason: navigation\n", encoding="utf-8")
    with pytest.raises(DatasetError) as exc:
        load_dataset(data_copy)
    assert any("documents/002.yaml: text at 9-" in p and "is neither covered nor explained" in p for p in exc.value.problems)


def test_failed_build_keeps_serving_previous_database(built, data_copy):
    settings, db = built
    _edit(data_copy / "actors.yaml", "kind: country", "kind: planet")
    problems = _refused(settings, db)
    assert "actors.yaml: actors[0] (id 'egypt'): field actors[0].kind: Input should be" in problems
    engine = make_engine(db)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT kind FROM actor WHERE id = 'egypt'")).scalar() == "country"
    engine.dispose()


def _break_every_stage(data_copy: Path) -> None:
    """A YAML error in links.yaml, a quote moved off its text in 000.yaml, a statement naming what its evidence does
    not say (003.yaml): one problem at each stage of the checks."""
    (data_copy / "links.yaml").write_text("contradictions: [\n", encoding="utf-8")
    path = data_copy / "documents" / "000.yaml"
    _edit(path, "        start: 840\n        end: 968\n", "        start: 841\n        end: 969\n")
    _edit(path, "statement: Secret US documents show that Egyptian President Abdel Fattah el-Sisi planned to produce 40,000",
          "statement: Secret US documents show that Egyptian President Abdel Fattah el-Sisi planned to produce 70,000")


def test_a_yaml_error_hides_no_problem_of_any_stage(data_copy):
    from api.dataset.validate import dataset_problems

    _break_every_stage(data_copy)
    _, problems = dataset_problems(data_copy)
    assert problems[0].startswith("links.yaml: not valid YAML")
    assert any(p.startswith("documents/000.yaml: claim 'us-representative-saw-no-missile-deliveries': field evidence[0]: quote does"
                            " not match source 'buna-times-2023-sisi-missiles-for-russia' at offsets 841-969") for p in problems)
    assert any(p.startswith("documents/000.yaml: claim 'sisi-planned-40000-missiles-for-russia': ") and "70,000" in p for p in problems)
    # The loader alone reports its own stages past the YAML error too.
    with pytest.raises(DatasetError) as exc:
        load_dataset(data_copy)
    assert [p.split(":")[0] for p in exc.value.problems] == ["links.yaml", "documents/000.yaml"]


def test_items_of_a_file_that_does_not_parse_are_not_reported_missing(data_copy):
    from api.dataset.validate import dataset_problems

    (data_copy / "actors.yaml").write_text("actors:\n  - id: egypt\n    kind: [\n", encoding="utf-8")
    path = data_copy / "documents" / "000.yaml"
    _edit(path, "        start: 840\n        end: 968\n", "        start: 841\n        end: 969\n")
    _, problems = dataset_problems(data_copy)
    assert problems[0].startswith("actors.yaml: not valid YAML")
    assert not [p for p in problems if "unknown actor" in p]  # egypt and the rest are in the file that did not parse
    assert [p for p in problems if "quote does not match" in p] == [
        p for p in problems if p.startswith("documents/000.yaml: claim 'us-representative-saw-no-missile-deliveries': field evidence[0]")]
    assert len([p for p in problems if "quote does not match" in p]) == 1
