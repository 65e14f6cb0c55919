"""what a running analysis was started with

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 21:00:00

Adds ``recording.started_with``: the person's body measures and the stored direction
calibrations the analysis that is running (or ran last) was started with, written by
the worker when it starts one. The body-measures and calibration buttons read it to
tell a recording being analysed with what was replaced since (queued again behind
its analysis) from one already analysed with what is stored now. Existing rows get
NULL (not known): a recording being analysed when the column was added is queued
again by those buttons, as it may use what was replaced.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("recording") as batch:
        batch.add_column(sa.Column("started_with", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("recording") as batch:
        batch.drop_column("started_with")
