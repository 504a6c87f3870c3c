"""What the fuzz's fixtures and tests share: its own site and agent, and a traceback recorder."""

from __future__ import annotations

import logging

# A site of the fuzz's own and its one agent: the contacts it sets up to give payloads real ids
# are offered to no one else, and nobody else's to that agent.
FUZZ_SITE = "fuzz"
FUZZ_AGENT = ("fuzz@example.com", "fuzz-password")

# The loggers of the hub's process: its own, and those of the libraries it serves through.
LOGGERS = ("hub", "socketio", "engineio", "aiohttp")


class Tracebacks(logging.Handler):
    """Every record logged with an exception, from the hub's process, while it is attached."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info is not None and record.exc_info != (None, None, None):
            self.records.append(record)

    def check(self) -> None:
        """Fail with the first traceback logged since the last check."""
        if self.records:
            first = self.records[0]
            self.records.clear()
            raise AssertionError(
                f"the hub logged a traceback ({first.name}):\n{logging.Formatter().format(first)}"
            )
