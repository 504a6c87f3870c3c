"""The store: SQLAlchemy Core over SQLite (default) or PostgreSQL."""
