"""forward and uncertain totals beside each analysis

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05 04:20:00

Adds the steps, walking time and distance of the forward and of the uncertain
bouts to ``analysis_result`` (beside the backward figures), so that history and
progress show everything that was walked. Existing rows are filled from their
stored analysis JSON by the same function that fills new ones
(:func:`retrowalk.summary.progress.summarise`).
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = (
    ("forward_steps", sa.Integer(), "0"),
    ("forward_duration_s", sa.Float(), "0"),
    ("forward_distance_m", sa.Float(), "0"),
    ("uncertain_steps", sa.Integer(), "0"),
    ("uncertain_duration_s", sa.Float(), "0"),
    ("uncertain_distance_m", sa.Float(), "0"),
)


def upgrade() -> None:
    from retrowalk.summary.progress import summarise

    with op.batch_alter_table("analysis_result") as batch:
        for name, kind, default in COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=False, server_default=sa.text(default)))
    bind = op.get_bind()
    table = sa.table(
        "analysis_result",
        sa.column("id", sa.Integer()),
        sa.column("result", sa.JSON()),
        *(sa.column(name, kind) for name, kind, _ in COLUMNS),
    )
    rows = bind.execute(sa.select(table.c.id, table.c.result)).all()
    for row_id, result in rows:
        data = json.loads(result) if isinstance(result, str) else result
        if not isinstance(data, dict):
            continue
        try:
            stored = summarise(data)
        except (KeyError, TypeError, ValueError):
            continue  # an unreadable old result keeps zeros; re-analysing fills it
        bind.execute(
            table.update()
            .where(table.c.id == row_id)
            .values({name: stored[name] for name, _, _ in COLUMNS})
        )


def downgrade() -> None:
    with op.batch_alter_table("analysis_result") as batch:
        for name, _, _ in reversed(COLUMNS):
            batch.drop_column(name)
