"""why each analysis was made

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 21:30:00

Adds ``analysis_result.made_for``: the reasons the recording was queued for when the
analysis started (``recording.queued_for``, with those of an earlier analysis of the
same version it replaced), so that an upgrade's "analyse again" run counts as done
only the recordings it analysed again, not those a bout label, a calibration, new
body measures or their own "Analyse again" had analysed again since the upgrade.
Existing rows get "" (not known): the run counts them as its own, as it did.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("analysis_result") as batch:
        batch.add_column(
            sa.Column("made_for", sa.String(length=100), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("analysis_result") as batch:
        batch.drop_column("made_for")
