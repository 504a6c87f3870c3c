"""search: a full-text index of the messages and notes (FTS5 on SQLite, GIN on PostgreSQL)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 19:40:00

SQLite: an FTS5 table filled by a trigger on every insert into ``events`` (the writer's batches,
an action's appends and a merge's copies alike), and backfilled here. PostgreSQL: a GIN index
on the text's ``tsvector``, which the database keeps current (and empty of erased text) itself.
Neither is in ``hub/store/schema.py``: SQLAlchemy's metadata has no word for them
(``hub.store.search.OUTSIDE_METADATA`` names them for the schema test).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT = "json_extract(NEW.data, '$.text')"


def upgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        # remove_diacritics: "creme" finds "crème". conversation_id and seq lead back to the
        # event; they are not indexed (nobody searches for an id's words).
        op.execute(
            "CREATE VIRTUAL TABLE message_search USING fts5("
            "text, conversation_id UNINDEXED, seq UNINDEXED,"
            " tokenize = 'unicode61 remove_diacritics 2')"
        )
        op.execute(
            "CREATE TRIGGER message_search_insert AFTER INSERT ON events"
            f" WHEN NEW.type IN ('message', 'note') AND {TEXT} IS NOT NULL"
            " BEGIN INSERT INTO message_search (text, conversation_id, seq)"
            f" VALUES ({TEXT}, NEW.conversation_id, NEW.seq); END"
        )
        op.execute(
            "INSERT INTO message_search (text, conversation_id, seq)"
            " SELECT json_extract(data, '$.text'), conversation_id, seq FROM events"
            " WHERE type IN ('message', 'note') AND json_extract(data, '$.text') IS NOT NULL"
        )
    else:
        # 'simple': no language's stemming (a shop's customers write in several), lower case.
        op.execute(
            "CREATE INDEX ix_events_message_text ON events"
            " USING gin (to_tsvector('simple', data ->> 'text'))"
            " WHERE type IN ('message', 'note')"
        )


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS message_search_insert")
        op.execute("DROP TABLE IF EXISTS message_search")
    else:
        op.execute("DROP INDEX IF EXISTS ix_events_message_text")
