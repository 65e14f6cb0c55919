"""analysis progress on the recording row

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 04:30:00

Adds ``recording.progress_stage`` (what the analysis is doing: ``reading``,
``analysing``, ``report``; empty when nothing runs) and ``recording.progress_pct``
(0-100, or NULL while unknown). The worker writes them while it analyses; the
recording page polls them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("recording") as batch:
        batch.add_column(
            sa.Column("progress_stage", sa.String(20), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("progress_pct", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("recording") as batch:
        batch.drop_column("progress_pct")
        batch.drop_column("progress_stage")
