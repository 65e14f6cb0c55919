"""video floor marks and body proportions on the recording row

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 07:00:00

Adds ``recording.floor_marks_px`` (two points on the floor ``"x1,y1,x2,y2"`` in
pixels of a video's first frame, or empty), ``recording.floor_distance_m`` (their
distance apart, or NULL) and ``recording.proportions`` (``"child"``, ``"adult"``
or empty: from the person's age). They are given at upload and read again for
every analysis of the recording.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("recording") as batch:
        batch.add_column(
            sa.Column("floor_marks_px", sa.String(100), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("floor_distance_m", sa.Float(), nullable=True))
        batch.add_column(sa.Column("proportions", sa.String(10), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("recording") as batch:
        batch.drop_column("proportions")
        batch.drop_column("floor_distance_m")
        batch.drop_column("floor_marks_px")
