"""The loader's `Dataset` with its per-actor and per-source lookups indexed, for builds of many documents.

`Dataset.roles_of`, `role_ids_of`, `names_of` and `passages` scan every document on each call, and the
engine and the renderer call them for every claim and actor (`World.party` for each party of each claim),
so a build's time grows with claims times documents: at 10,000 claims in 915 documents, 63% of the build
is `roles_of` alone. `IndexedDataset` answers the same calls, with the same results in the same order,
from indexes made once, so that bench/generate.py can build 100,000 claims and more in reasonable time while
the seed code is optimised (`--plain-dataset` builds from the loader's own `Dataset`). `group_candidates` (every actor with members,
which the speech checks scan for each evidence item) is kept too.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from api.dataset.loader import Dataset, role_id
from schemas.dataset import ActorIn, ActorRoleIn


@dataclass
class IndexedDataset(Dataset):
    _by_actor: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, ds: Dataset) -> IndexedDataset:
        """The same dataset (the same dicts, not copies), indexed. Documents must not change afterwards."""
        return cls(**{f.name: getattr(ds, f.name) for f in fields(Dataset)})

    def _documents(self) -> dict[str, Any]:
        if not self._by_actor:
            roles: dict[str, list[tuple[str, ActorRoleIn]]] = {}
            names: dict[str, list[list[tuple[str, str]]]] = {}  # per document, in document order
            passages: dict[str, list[tuple[int, int]]] = {}
            for file, doc in self.documents.items():
                for i, r in enumerate(doc.roles):
                    roles.setdefault(r.actor, []).append((role_id(file, i), r))
                here: dict[str, list[tuple[str, str]]] = {}
                for n in doc.names:
                    here.setdefault(n.actor, []).append((n.value, n.language))
                for actor_id, found in here.items():
                    names.setdefault(actor_id, []).append(found)
                passages.setdefault(doc.source.id, [(seg.start, seg.end) for seg in doc.coverage])
            groups = [a for a in self.actors.values() if a.members]
            self._by_actor.update(roles=roles, names=names, passages=passages, groups=groups)
        return self._by_actor

    def roles_of(self, actor_id: str) -> list[ActorRoleIn]:
        return [r for _, r in self._documents()["roles"].get(actor_id, [])]

    def role_ids_of(self, actor_id: str) -> list[str]:
        return [rid for rid, _ in self._documents()["roles"].get(actor_id, [])]

    def names_of(self, actor_id: str) -> list[tuple[str, str]]:
        names = [(n.value, n.language) for n in self.actors[actor_id].names]
        for found in self._documents()["names"].get(actor_id, []):
            names += [name for name in found if name not in names]  # as the loader does: checked against earlier documents
        return names

    def passages(self, source_id: str) -> list[tuple[int, int]]:
        return list(self._documents()["passages"].get(source_id, []))

    def group_candidates(self) -> list[ActorIn]:
        return list(self._documents()["groups"])
