"""a one-time message of a browser session (shown by the page a form redirects to)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 04:00:00

Adds ``web_session.flash`` (NULL when there is none): what a form that redirects
(Post/Redirect/Get) leaves for the page it redirects to, e.g. a new API token's
secret, shown once. It is stored sealed with a one-time pad the session's cookie
carries (:mod:`retrowalk.web.session`): the row alone does not hold the secret.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("web_session") as batch:
        batch.add_column(sa.Column("flash", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("web_session") as batch:
        batch.drop_column("flash")
