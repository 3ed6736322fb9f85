"""Plan screenings: the result of screening an uploaded procurement plan, kept for a while so
the result page can be sorted and downloaded and each row opened as a full assessment.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "screenings",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("filename", sa.String(200), nullable=False, server_default=""),
        sa.Column("ruleset_version", sa.String(100), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("result_json", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_screenings_created_at", "screenings", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_screenings_created_at", table_name="screenings")
    op.drop_table("screenings")
