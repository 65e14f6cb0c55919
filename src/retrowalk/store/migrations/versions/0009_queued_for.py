"""why a recording waits to be analysed again

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 16:30:00

Adds ``recording.queued_for``: why a recording is queued or being analysed (again),
as words joined by commas (``engine`` for an upgrade's run analysing again what
another engine version analysed; ``asked``, ``labels``, ``calibration``,
``measures``, ``upload``), so that stopping an upgrade's run cancels only what it
queued, never a new analysis a calibration, a bout label or the person's new body
measures asked for. Existing rows get "" (not known): a recording waiting when the
column was added may have been asked for, so a stop leaves it waiting. Nothing more is
filled in: no stored row tells an upgrade's run from a user's own "Analyse again", a
calibration or new measures, and a label waiting to be applied is one reason among
possibly others.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("recording") as batch:
        batch.add_column(
            sa.Column("queued_for", sa.String(length=100), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("recording") as batch:
        batch.drop_column("queued_for")
