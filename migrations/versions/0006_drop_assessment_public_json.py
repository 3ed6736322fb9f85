"""Saved assessments no longer keep their public JSON per language: the API renders it from the
stored result on every read (ETag/304 still spare repeated reads). Drops what 0005 added; rows
saved with it keep their result and are read as before.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assessments") as batch:
        batch.drop_column("public_format")
        batch.drop_column("public_en")
        batch.drop_column("public_nb")


def downgrade() -> None:
    # The columns come back empty: code at 0005 renders rows without them from the result.
    op.add_column("assessments", sa.Column("public_nb", sa.LargeBinary(), nullable=True))
    op.add_column("assessments", sa.Column("public_en", sa.LargeBinary(), nullable=True))
    op.add_column("assessments", sa.Column("public_format", sa.String(64), nullable=True))
