"""After the contact: surveys, follow-ups, the product of a contact, andon flags

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 13:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(length=32)


def upgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(sa.Column("product", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("follow_up_of", ID, nullable=True))
        batch.add_column(sa.Column("survey_until", sa.Float(), nullable=True))
        batch.create_index("ix_contacts_follow_up_of", ["follow_up_of"])
        batch.create_index("ix_contacts_customer_id", ["customer_id"])
        batch.create_index("ix_contacts_site_product_reason", ["site_id", "product", "reason"])
    op.create_table(
        "surveys",
        sa.Column("contact_id", ID, nullable=False),
        sa.Column("site_id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.Column("effort", sa.Integer(), nullable=True),
        sa.Column("comment", sa.String(length=2000), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("follow_up_id", ID, nullable=True),
        sa.Column("answered_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name="fk_surveys_contact_id_contacts"
        ),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name="fk_surveys_site_id_sites"),
        sa.PrimaryKeyConstraint("contact_id", name="pk_surveys"),
    )
    op.create_index("ix_surveys_answered_at", "surveys", ["answered_at"])
    op.create_table(
        "flags",
        sa.Column("id", ID, nullable=False),
        sa.Column("site_id", ID, nullable=False),
        sa.Column("product", sa.String(length=120), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("contact_ids", sa.JSON(), nullable=False),
        sa.Column("raised_by", ID, nullable=True),
        sa.Column("raised_at", sa.Float(), nullable=False),
        sa.Column("cleared_at", sa.Float(), nullable=True),
        sa.Column("cleared_by", ID, nullable=True),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name="fk_flags_site_id_sites"),
        sa.PrimaryKeyConstraint("id", name="pk_flags"),
    )
    op.create_index("ix_flags_site_product_reason", "flags", ["site_id", "product", "reason"])


def downgrade() -> None:
    op.drop_index("ix_flags_site_product_reason", table_name="flags")
    op.drop_table("flags")
    op.drop_index("ix_surveys_answered_at", table_name="surveys")
    op.drop_table("surveys")
    with op.batch_alter_table("contacts") as batch:
        batch.drop_index("ix_contacts_site_product_reason")
        batch.drop_index("ix_contacts_customer_id")
        batch.drop_index("ix_contacts_follow_up_of")
        batch.drop_column("survey_until")
        batch.drop_column("follow_up_of")
        batch.drop_column("product")
