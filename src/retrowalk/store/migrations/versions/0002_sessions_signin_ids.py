"""server-side sessions, sign-in slow-down, ids never reused

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05 01:15:00

Adds ``web_session`` (a cookie names a row; deleting it ends the session),
``signin_failure`` (failed sign-ins per e-mail and client address, shared by every
server process) and ``account.password_changed_at``. On SQLite every table is
rebuilt with ``AUTOINCREMENT`` so that the id of a deleted row is never given
out again (``db.upgrade`` turns foreign keys off around the rebuild so that no
cascade fires; rows and ids are copied unchanged).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

OLD_TABLES = (
    "account",
    "api_token",
    "person",
    "walk_session",
    "recording",
    "analysis_result",
    "observation",
    "plan",
)


def upgrade() -> None:
    with op.batch_alter_table("account") as batch:
        batch.add_column(sa.Column("password_changed_at", sa.DateTime(timezone=True)))
    op.create_table(
        "web_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_sha256"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_web_session_account_id", "web_session", ["account_id"])
    op.create_table(
        "signin_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("client", sa.String(length=100), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email", "client", name="uq_signin_failure_key"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_signin_failure_last_failure_at", "signin_failure", ["last_failure_at"])
    if op.get_bind().dialect.name == "sqlite":
        for name in OLD_TABLES:
            with op.batch_alter_table(
                name, recreate="always", table_kwargs={"sqlite_autoincrement": True}
            ):
                pass


def downgrade() -> None:
    op.drop_index("ix_signin_failure_last_failure_at", table_name="signin_failure")
    op.drop_table("signin_failure")
    op.drop_index("ix_web_session_account_id", table_name="web_session")
    op.drop_table("web_session")
    with op.batch_alter_table("account") as batch:
        batch.drop_column("password_changed_at")
