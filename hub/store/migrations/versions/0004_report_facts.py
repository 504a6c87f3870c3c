"""Report facts: when a contact came due and was first taken, the shop's orders

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 13:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(length=32)


def upgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(sa.Column("due_at", sa.Float(), nullable=True))
        batch.add_column(sa.Column("first_assigned_at", sa.Float(), nullable=True))
        batch.add_column(
            sa.Column("offer_timeouts", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("media_connected_at", sa.Float(), nullable=True))
        batch.add_column(sa.Column("first_frame_at", sa.Float(), nullable=True))
        batch.create_index("ix_contacts_site_enqueued", ["site_id", "enqueued_at"])
        batch.create_index("ix_contacts_enqueued", ["enqueued_at"])
    # Contacts stored before: due when requested (a scheduled callback's booking was not kept
    # apart from its retries), first taken at their first acceptance.
    op.execute("UPDATE contacts SET due_at = enqueued_at")
    for column, kind in (
        ("first_assigned_at", "accepted"),
        ("media_connected_at", "media_connected"),
        ("first_frame_at", "first_frame"),
    ):
        op.execute(
            f"UPDATE contacts SET {column} = (SELECT min(e.ts) FROM contact_events e"
            f" WHERE e.contact_id = contacts.id AND e.type = '{kind}')"
        )
    op.execute(
        "UPDATE contacts SET offer_timeouts = (SELECT count(*) FROM contact_events e"
        " WHERE e.contact_id = contacts.id AND e.type = 'expired')"
    )
    op.create_table(
        "orders",
        sa.Column("site_id", ID, nullable=False),
        sa.Column("order_id", sa.String(length=100), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("ordered_at", sa.Float(), nullable=False),
        sa.Column("received_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name="fk_orders_site_id_sites"),
        sa.PrimaryKeyConstraint("site_id", "order_id", name="pk_orders"),
    )
    op.create_index("ix_orders_site_ordered", "orders", ["site_id", "ordered_at"])
    op.create_index("ix_contact_events_type_contact", "contact_events", ["type", "contact_id"])


def downgrade() -> None:
    op.drop_index("ix_contact_events_type_contact", table_name="contact_events")
    op.drop_index("ix_orders_site_ordered", table_name="orders")
    op.drop_table("orders")
    with op.batch_alter_table("contacts") as batch:
        batch.drop_index("ix_contacts_enqueued")
        batch.drop_index("ix_contacts_site_enqueued")
        batch.drop_column("first_frame_at")
        batch.drop_column("media_connected_at")
        batch.drop_column("offer_timeouts")
        batch.drop_column("first_assigned_at")
        batch.drop_column("due_at")
