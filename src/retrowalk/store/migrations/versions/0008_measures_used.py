"""the body measures each analysis used, beside it

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 09:00:00

Adds ``analysis_result.used_height_m`` and ``used_weight_kg``: the height and
weight the analysis used (its JSON's ``assumptions``), so the person, progress
and recording pages and the API can say which analyses were made with measures
the person's have since changed from, without loading each document. Existing
rows are filled from their stored analysis JSON by the same function that fills
new ones (:func:`retrowalk.store.measures.measures_used`).
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

COLUMNS = ("used_height_m", "used_weight_kg")


def upgrade() -> None:
    from retrowalk.store.measures import measures_used

    with op.batch_alter_table("analysis_result") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.Float(), nullable=True))
    bind = op.get_bind()
    table = sa.table(
        "analysis_result",
        sa.column("id", sa.Integer()),
        sa.column("result", sa.JSON()),
        *(sa.column(name, sa.Float()) for name in COLUMNS),
    )
    rows = bind.execute(sa.select(table.c.id, table.c.result)).all()
    for row_id, result in rows:
        data = json.loads(result) if isinstance(result, str) else result
        if not isinstance(data, dict):
            continue  # an unreadable old result keeps NULLs; analysing it again fills them
        bind.execute(table.update().where(table.c.id == row_id).values(measures_used(data)))


def downgrade() -> None:
    with op.batch_alter_table("analysis_result") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
