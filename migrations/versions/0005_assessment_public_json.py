"""Saved assessments keep their public JSON per language (the API's answer without the
bookkeeping), rendered when the result is saved, with the format mark it was rendered under.
Rows saved before have none and are rendered from the stored result when read, as before.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("assessments", sa.Column("public_nb", sa.LargeBinary(), nullable=True))
    op.add_column("assessments", sa.Column("public_en", sa.LargeBinary(), nullable=True))
    op.add_column("assessments", sa.Column("public_format", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assessments") as batch:
        batch.drop_column("public_format")
        batch.drop_column("public_en")
        batch.drop_column("public_nb")
