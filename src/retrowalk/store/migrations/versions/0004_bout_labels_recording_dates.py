"""hand labels of walking bouts; where a recording's date came from; headerless columns

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 04:20:00

Adds ``bout_label`` (a bout's direction set by the user, kept across
reanalyses), ``recording.date_source`` (``file``, ``user`` or ``unknown``;
existing rows become ``file``: they were dated as before) and
``recording.columns`` (the column names given for a table without a header
line, used again when the recording is reanalysed).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("recording") as batch:
        batch.add_column(
            sa.Column("date_source", sa.String(length=10), nullable=False, server_default="file")
        )
        batch.add_column(
            sa.Column("columns", sa.String(length=500), nullable=False, server_default="")
        )
    op.create_table(
        "bout_label",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("recording_id", sa.Integer(), nullable=False),
        sa.Column("start_s", sa.Float(), nullable=False),
        sa.Column("end_s", sa.Float(), nullable=False),
        sa.Column("label", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["recording_id"], ["recording.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_bout_label_account_id", "bout_label", ["account_id"])
    op.create_index("ix_bout_label_recording_id", "bout_label", ["recording_id"])


def downgrade() -> None:
    op.drop_index("ix_bout_label_recording_id", table_name="bout_label")
    op.drop_index("ix_bout_label_account_id", table_name="bout_label")
    op.drop_table("bout_label")
    with op.batch_alter_table("recording") as batch:
        batch.drop_column("columns")
        batch.drop_column("date_source")
