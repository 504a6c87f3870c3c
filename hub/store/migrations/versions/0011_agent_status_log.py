"""agent_status_log: every change of an agent's status, for the time in each status today

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agent_status_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("agent_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=80), nullable=True),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("set_by", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name="fk_agent_status_log_agent_id_agents"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_agent_status_log"),
    )
    op.create_index("ix_agent_status_log_agent_at", "agent_status_log", ["agent_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_agent_status_log_agent_at", table_name="agent_status_log")
    op.drop_table("agent_status_log")
