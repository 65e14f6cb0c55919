"""Account-scoped access to single observations (used by the children's log).

Additive to :class:`~retrowalk.store.repositories.AccountScoped`: every query
filters on the account id, so another account's observation id behaves like an
id that does not exist.
"""

from __future__ import annotations

from sqlalchemy import select

from retrowalk.store.models import Observation
from retrowalk.store.repositories import AccountScoped, NotFoundError


class ScopedObservations(AccountScoped):
    """Single observations of one account (constructed like :class:`AccountScoped`)."""

    def get(self, person_id: int, observation_id: int, kind: str | None = None) -> Observation:
        """One observation of a person (optionally of one kind), or :class:`NotFoundError`."""
        query = select(Observation).where(
            Observation.id == observation_id,
            Observation.person_id == person_id,
            Observation.account_id == self.account_id,
        )
        if kind is not None:
            query = query.where(Observation.kind == kind)
        obs = self.session.scalar(query)
        if obs is None:
            raise NotFoundError(f"Observation {observation_id} not found")
        return obs

    def delete(self, person_id: int, observation_id: int, kind: str | None = None) -> str | None:
        """Delete one observation; return its attachment path (for the caller to remove)."""
        obs = self.get(person_id, observation_id, kind)
        path = obs.attachment_path
        self.session.delete(obs)
        self.session.flush()
        return path
