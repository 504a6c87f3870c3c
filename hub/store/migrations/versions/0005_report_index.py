"""Reports from indexes: a covering index of contacts, survey answers found by period

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 15:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in hub.store.schema.REPORT_COLUMNS when this revision was written (a migration does not
# follow later changes of the schema module).
COLUMNS = [
    "site_id",
    "enqueued_at",
    "id",
    "channel",
    "reason",
    "first_assigned_at",
    "due_at",
    "end_reason",
    "state",
    "assigned_at",
    "ended_at",
    "attempts",
    "offer_timeouts",
    "media_connected_at",
    "first_frame_at",
    "survey_resolved",
    "survey_effort",
]


def upgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(sa.Column("survey_resolved", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("survey_effort", sa.Integer(), nullable=True))
    with op.batch_alter_table("surveys") as batch:
        batch.add_column(sa.Column("enqueued_at", sa.Float(), nullable=True))
    op.execute(
        "UPDATE surveys SET enqueued_at ="
        " (SELECT c.enqueued_at FROM contacts c WHERE c.id = surveys.contact_id)"
    )
    with op.batch_alter_table("surveys") as batch:
        batch.alter_column("enqueued_at", existing_type=sa.Float(), nullable=False)
        batch.create_index("ix_surveys_site_enqueued", ["site_id", "enqueued_at"])
    op.execute(
        "UPDATE contacts SET"
        " survey_resolved = (SELECT s.resolved FROM surveys s WHERE s.contact_id = contacts.id),"
        " survey_effort = (SELECT s.effort FROM surveys s WHERE s.contact_id = contacts.id)"
    )
    # It starts with (site_id, enqueued_at), so it serves every query the narrower index did.
    op.create_index("ix_contacts_report", "contacts", COLUMNS)
    op.drop_index("ix_contacts_site_enqueued", table_name="contacts")
    # With the id after the enqueue time, the CSV's pages of every site walk in order too.
    op.drop_index("ix_contacts_enqueued", table_name="contacts")
    op.create_index("ix_contacts_enqueued", "contacts", ["enqueued_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_contacts_enqueued", table_name="contacts")
    op.create_index("ix_contacts_enqueued", "contacts", ["enqueued_at"])
    op.create_index("ix_contacts_site_enqueued", "contacts", ["site_id", "enqueued_at"])
    op.drop_index("ix_contacts_report", table_name="contacts")
    with op.batch_alter_table("contacts") as batch:
        batch.drop_column("survey_effort")
        batch.drop_column("survey_resolved")
    with op.batch_alter_table("surveys") as batch:
        batch.drop_index("ix_surveys_site_enqueued")
        batch.drop_column("enqueued_at")
