"""Read and validate the curated dataset in `data/` before anything is written.

`load_dataset()` returns a `Dataset` only when every file parses, every field is valid, every id
reference resolves and every evidence quote equals its source text at its code-point offsets. Any
failure raises `DatasetError` listing every problem, each naming the file, the item and the field.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from api.dataset.checks import Loc, RecordChecks, format_loc
from api.dataset.files import read_text
from api.dataset.graph import Graph, claim_roles
from schemas.dataset import (
    ActorIn,
    ActorRoleIn,
    ActorsFile,
    ClaimIn,
    ContradictionIn,
    CorroborationIn,
    DocumentFile,
    LinksFile,
    SourceIn,
    SourcesFile,
)
from schemas.knowledge import Knowledge
from schemas.synonyms import SYNONYMS_FILE, SynonymsFile
from schemas.vocab import ClaimRole

DATA_DIR = Path(__file__).resolve().parents[2] / "data"


class _Loader(yaml.SafeLoader):
    """Safe YAML without implicit timestamps: `2023-02-17` stays the string the schema expects."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)


class DatasetError(Exception):
    """The dataset is invalid; `problems` lists each problem as one line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("the dataset is invalid:\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass
class Dataset(Graph):
    """The validated dataset, held in memory."""

    actors: dict[str, ActorIn] = field(default_factory=dict)
    sources: dict[str, SourceIn] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    claims: dict[str, ClaimIn] = field(default_factory=dict)
    contradictions: dict[str, ContradictionIn] = field(default_factory=dict)
    corroborations: dict[str, CorroborationIn] = field(default_factory=dict)
    knowledge: Knowledge = field(default_factory=lambda: Knowledge.empty())
    synonyms: str | None = None  # synonyms.yaml as written (schemas/synonyms.py): stored by the build, exported as is
    propositions: dict[str, str] = field(default_factory=dict)  # claim id -> proposition id, once the engine has run
    documents: dict[str, DocumentFile] = field(default_factory=dict)  # by file name
    origin: dict[str, str] = field(default_factory=dict)  # item key -> file that defines it
    fingerprint: str = ""
    _index: dict[str, Any] = field(default_factory=dict, repr=False)

    def _by_actor(self) -> dict[str, Any]:
        """Roles, names and held texts by actor and source, indexed once per set of documents (again when a
        document is added): each lookup used to scan every document, so a build grew with claims times
        documents. Same results, in the same order, as the scans."""
        if self._index.get("documents_indexed") != len(self.documents):
            roles: dict[str, list[tuple[str, ActorRoleIn]]] = defaultdict(list)
            names: dict[str, list[list[tuple[str, str]]]] = defaultdict(list)  # per document, in document order
            document_of: dict[str, str] = {}
            for file, doc in self.documents.items():
                for i, r in enumerate(doc.roles):
                    roles[r.actor].append((role_id(file, i), r))
                here: dict[str, list[tuple[str, str]]] = defaultdict(list)
                for n in doc.names:
                    here[n.actor].append((n.value, n.language))
                for actor_id, found in here.items():
                    names[actor_id].append(found)
                document_of.setdefault(doc.source.id, file)
            self._index.update(documents_indexed=len(self.documents), roles=roles, names=names, document_of=document_of)
        return self._index

    def names_of(self, actor_id: str) -> list[tuple[str, str]]:
        names = [(n.value, n.language) for n in self.actors[actor_id].names]
        for found in self._by_actor()["names"].get(actor_id, []):
            names += [name for name in found if name not in names]
        return names

    def roles_of(self, actor_id: str) -> list[ActorRoleIn]:
        return [r for _, r in self._by_actor()["roles"].get(actor_id, [])]

    def role_ids_of(self, actor_id: str) -> list[str]:
        return [rid for rid, _ in self._by_actor()["roles"].get(actor_id, [])]

    def _indexes(self) -> dict[str, Any]:
        """Reverse indexes, computed once the dataset is complete."""
        if "contradictions" not in self._index:
            contradictions: dict[str, list[str]] = defaultdict(list)
            corroborations: dict[str, list[str]] = defaultdict(list)
            counts: dict[str, dict[ClaimRole, int]] = defaultdict(lambda: defaultdict(int))
            source_claims: dict[str, int] = defaultdict(int)
            cited_by: dict[str, list[str]] = defaultdict(list)
            for x in self.contradictions.values():
                for m in x.claims:
                    contradictions[m.claim].append(x.id)
            for y in self.corroborations.values():
                for cid in y.claims:
                    corroborations[cid].append(y.id)
            for c in self.claims.values():
                for role, actor_id in claim_roles(c):
                    counts[actor_id][role] += 1
                for source_id in self.claim_links(c):
                    source_claims[source_id] += 1
            for s in self.sources.values():
                for cited in s.cites:
                    cited_by[cited].append(s.id)
            self._index.update(contradictions=contradictions, corroborations=corroborations, counts=counts,
                               source_claims=source_claims, cited_by=cited_by)
        return self._index

    def reindex(self) -> None:
        """Forget the reverse indexes (after records were added), so they are computed again."""
        for key in ("contradictions", "corroborations", "counts", "source_claims", "cited_by", "quoting"):
            self._index.pop(key, None)

    def contradictions_of(self, claim_id: str) -> list[str]:
        return sorted(self._indexes()["contradictions"].get(claim_id, []))

    def corroborations_of(self, claim_id: str) -> list[str]:
        return sorted(self._indexes()["corroborations"].get(claim_id, []))

    def claim_counts(self, actor_id: str) -> dict[ClaimRole, int]:
        counts = self._indexes()["counts"].get(actor_id, {})
        return {role: counts.get(role, 0) for role in ClaimRole}

    def source_claim_count(self, source_id: str) -> int:
        return int(self._indexes()["source_claims"].get(source_id, 0))

    def cited_by(self, source_id: str) -> list[str]:
        return sorted(self._indexes()["cited_by"].get(source_id, []))

    def proposition_of(self, claim_id: str) -> str | None:
        return self.propositions.get(claim_id)

    def claims_quoting(self, source_id: str) -> list[str]:
        if "quoting" not in self._index:
            quoting: dict[str, list[str]] = defaultdict(list)
            for c in self.claims.values():
                for s in dict.fromkeys(ev.source for ev in c.evidence):
                    quoting[s].append(c.id)
            self._index["quoting"] = quoting
        return list(self._index["quoting"].get(source_id, []))

    def passages(self, source_id: str) -> list[tuple[int, int]]:
        file = self._by_actor()["document_of"].get(source_id)
        return [] if file is None else [(seg.start, seg.end) for seg in self.documents[file].coverage]


def role_id(file: str, position: int) -> str:
    """A role's id: the stem of the document file that attests it, and its position there (`000.3`)."""
    return f"{Path(file).stem}.{position}"


def data_files(data_dir: Path) -> list[Path]:
    """The dataset's files in load order: actors, documents, cross-document links."""
    files = [data_dir / "actors.yaml", data_dir / "sources.yaml"]
    files += sorted((data_dir / "documents").glob("*.yaml"))
    links = data_dir / "links.yaml"
    if links.exists():
        files.append(links)
    knowledge = data_dir / "knowledge.yaml"
    if knowledge.exists():
        files.append(knowledge)
    return files


def fingerprint(data_dir: Path = DATA_DIR) -> str:
    """A digest of every dataset file and corpus text: it changes whenever the data does."""
    digest = hashlib.sha256()
    paths = [*data_files(data_dir), data_dir / SYNONYMS_FILE, *sorted((data_dir / "corpus").glob("*"))]
    for path in paths:
        if path.is_file():
            digest.update(path.relative_to(data_dir).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _item_name(raw: Any, loc: tuple[int | str, ...]) -> str:
    """`claims[3] 'some-id'`: the path to the failing item with its id when it has one."""
    node = raw
    named = ""
    for i, part in enumerate(loc):
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and isinstance(node.get("id"), str):
            named = f" (id '{node['id']}')"
            last = i
    return named if not named else f"{format_loc(loc[: last + 1])}{named}"


def _parse(path: Path, model: type[BaseModel], problems: list[str], name: str) -> Any:
    try:
        raw = read_yaml(read_text(path))
    except FileNotFoundError:
        problems.append(f"{name}: file is missing")
        return None
    except UnicodeDecodeError as exc:
        problems.append(f"{name}: not UTF-8: {exc}")
        return None
    except yaml.YAMLError as exc:
        problems.append(f"{name}: not valid YAML: {exc}")
        return None
    try:
        return model.model_validate(raw if raw is not None else {})
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            item = _item_name(raw, loc)
            where = format_loc(loc) or "(top level)"
            prefix = f"{name}: {item}: field {where}" if item else f"{name}: field {where}"
            problems.append(f"{prefix}: {err['msg']}")
        return None


class _Checker:
    def __init__(self, ds: Dataset, problems: list[str]) -> None:
        self.ds = ds
        self.problems = problems
        # Set once a file did not parse: its items are missing, so a reference to an unknown id is not reported
        # (it may be one of them), while every other check still runs on what did parse.
        self.partial = False

    def add(self, kind: str, item_id: str, file: str, registry: dict[str, Any], item: Any) -> None:
        if item_id in registry:
            self.problems.append(
                f"{file}: {kind} '{item_id}' is already defined in {self.ds.origin[f'{kind}:{item_id}']}"
            )
            return
        registry[item_id] = item
        self.ds.origin[f"{kind}:{item_id}"] = file

    def checks(self, where: str, prefix: Loc = ()) -> RecordChecks:
        def report(loc: Loc, msg: str, type_: str) -> None:
            if not (self.partial and type_ == "unknown_reference"):
                self.problems.append(f"{where}: field {format_loc((*prefix, *loc))}: {msg}")

        return RecordChecks(self.ds, report)

    def record(self, kind: str, record: Any) -> None:
        self.checks(f"{self.ds.origin[f'{kind}:{record.id}']}: {kind} '{record.id}'").record(kind, record)

    def ref(self, where: str, fld: str, value: str | None, registry: Mapping[str, Any], what: str) -> None:
        if value is not None and value not in registry and not self.partial:
            self.problems.append(f"{where}: field {fld}: unknown {what} '{value}'")

    def document_sections(self, name: str, doc: DocumentFile) -> None:
        for i, n in enumerate(doc.names):
            self.ref(f"{name}: names[{i}]", "actor", n.actor, self.ds.actors, "actor")
        for i, role in enumerate(doc.roles):
            self.checks(f"{name}: roles[{i}] ({role.actor}: {role.title})").role(role)

    def coverage(self, name: str, doc: DocumentFile) -> None:
        """The coverage rules (`RecordChecks.coverage`), reported as lines naming the file and the passage."""
        def report(loc: Loc, msg: str, type_: str) -> None:
            if self.partial and type_ == "unknown_reference":
                return
            if len(loc) < 2:
                self.problems.append(f"{name}: {msg}")
                return
            seg = doc.coverage[int(loc[1])]
            field = f"field {loc[2]}: " if len(loc) > 2 else ""
            self.problems.append(f"{name}: coverage[{loc[1]}] ({seg.start}-{seg.end}): {field}{msg}")

        RecordChecks(self.ds, report).coverage(doc.source.id, doc.coverage)


def load_dataset(data_dir: Path = DATA_DIR) -> Dataset:
    """Parse and validate every dataset file; raise DatasetError naming every problem."""
    ds, problems = read_dataset(data_dir)
    if problems:
        raise DatasetError(problems)
    return ds


def read_dataset(data_dir: Path = DATA_DIR) -> tuple[Dataset, list[str]]:
    """Parse and validate every dataset file: the dataset as far as it parsed, and every problem (empty when it is
    valid). A file that does not parse (YAML, or its fields) leaves its items out, and every check still runs on
    the rest: a YAML error in one file hides no quote mismatch in another (references to ids that may be in the
    unparsed file are not reported, since they may merely be missing)."""
    problems: list[str] = []
    ds = Dataset()
    check = _Checker(ds, problems)
    actors_file = _parse(data_dir / "actors.yaml", ActorsFile, problems, "actors.yaml")
    if actors_file is not None:
        for a in actors_file.actors:
            check.add("actor", a.id, "actors.yaml", ds.actors, a)
    sources_file = _parse(data_dir / "sources.yaml", SourcesFile, problems, "sources.yaml")
    if sources_file is not None:
        for s in sources_file.sources:
            check.add("source", s.id, "sources.yaml", ds.sources, s)
    for path in sorted((data_dir / "documents").glob("*.yaml")):
        name = path.relative_to(data_dir).as_posix()
        doc = _parse(path, DocumentFile, problems, name)
        if doc is None:
            continue
        ds.documents[name] = doc
        text_path = data_dir / str(doc.source.text_file)
        try:
            ds.texts[doc.source.id] = read_text(text_path)
        except (FileNotFoundError, UnicodeDecodeError) as exc:
            problems.append(f"{name}: source '{doc.source.id}': field text_file: cannot read {doc.source.text_file}: {exc}")
        for s in [doc.source, *doc.sources]:
            check.add("source", s.id, name, ds.sources, s)
        for a in doc.actors:
            check.add("actor", a.id, name, ds.actors, a)
        for c in doc.claims:
            check.add("claim", c.id, name, ds.claims, c)
        for x in doc.contradictions:
            check.add("contradiction", x.id, name, ds.contradictions, x)
        for y in doc.corroborations:
            check.add("corroboration", y.id, name, ds.corroborations, y)
    knowledge_path = data_dir / "knowledge.yaml"
    if knowledge_path.exists():
        knowledge = _parse(knowledge_path, Knowledge, problems, "knowledge.yaml")
        if knowledge is not None:
            ds.knowledge = knowledge
    synonyms_path = data_dir / SYNONYMS_FILE
    if synonyms_path.exists():
        table = _parse(synonyms_path, SynonymsFile, problems, SYNONYMS_FILE)
        if table is not None:
            ds.synonyms = read_text(synonyms_path)
    links_path = data_dir / "links.yaml"
    if links_path.exists():
        links = _parse(links_path, LinksFile, problems, "links.yaml")
        if links is not None:
            for x in links.contradictions:
                check.add("contradiction", x.id, "links.yaml", ds.contradictions, x)
            for y in links.corroborations:
                check.add("corroboration", y.id, "links.yaml", ds.corroborations, y)
    check.partial = bool(problems)
    for kind, registry in (("actor", ds.actors), ("source", ds.sources), ("claim", ds.claims),
                           ("contradiction", ds.contradictions), ("corroboration", ds.corroborations)):
        for record in registry.values():
            check.record(kind, record)
    for name, doc in ds.documents.items():
        check.document_sections(name, doc)
        check.coverage(name, doc)
    for i, conflict in enumerate(ds.knowledge.conflicts):
        for j, actor_id in enumerate(conflict.belligerents):
            check.ref(f"knowledge.yaml: conflicts[{i}] ({conflict.id})", f"belligerents[{j}]", actor_id, ds.actors, "actor")
    ds.fingerprint = fingerprint(data_dir)
    return ds, problems
