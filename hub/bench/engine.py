"""The routing engine alone, driven by a synthetic clock: decisions per second."""

from __future__ import annotations

import time
from collections import deque

from hub.core.routing import Agent, Channel, Contact, Engine, Offer, Revoke, SetAway

# A fixed mix, so every run does the same work: 6 chats, 2 videos, 2 callbacks in 10.
_MIX: tuple[Channel, ...] = ("chat",) * 6 + ("video",) * 2 + ("callback",) * 2
_SKILLS: tuple[frozenset[str], ...] = (
    frozenset(),
    frozenset(),
    frozenset({"fr"}),
    frozenset({"billing"}),
)
_TICK_S = 0.5  # synthetic seconds per round: offers expire after 16 rounds unanswered


def measure_engine(waiting: int = 500, agents: int = 100, seconds: float = 2.0) -> dict[str, float]:
    """Run the engine flat out for about ``seconds`` of wall time; return its decision rate.

    Each round: step, accept most offers and decline every tenth, end the oldest quarter of the
    assigned contacts, and add as many new contacts as ended so the line stays about
    ``waiting`` long. Decisions are the Offer/Revoke/SetAway returned plus every
    accept/decline/remove call.
    """
    engine = Engine()
    for i in range(agents):
        engine.upsert_agent(
            Agent(
                f"a{i}",
                status="available",
                connected=True,
                # Some agents speak French, some do billing, so skills narrow the choice.
                skills=frozenset({"fr", "billing"}) if i % 3 == 0 else frozenset({"fr"}),
            )
        )
    now = 0.0
    serial = 0

    def add(count: int) -> None:
        nonlocal serial
        for _ in range(count):
            channel = _MIX[serial % len(_MIX)]
            engine.add_contact(
                Contact(f"c{serial}", f"s{serial % 4}", channel, now, _SKILLS[serial % 4])
            )
            serial += 1

    add(waiting)
    assigned: deque[str] = deque()
    decisions = 0
    offers = 0
    started = time.perf_counter()
    elapsed = 0.0
    while elapsed < seconds:
        for decision in engine.step(now):
            if isinstance(decision, Offer):
                decisions += 1
                offers += 1
                if offers % 10 == 0:
                    engine.decline(decision.contact_id, decision.agent_id, now)
                else:
                    engine.accept(decision.contact_id, decision.agent_id, now)
                    assigned.append(decision.contact_id)
                decisions += 1
            elif isinstance(decision, (Revoke, SetAway)):
                decisions += 1
                if isinstance(decision, SetAway):
                    # A real agent would come back; keep the pool the same size.
                    engine.set_presence(decision.agent_id, "available", now)
        ended = max(1, len(assigned) // 4) if assigned else 0
        for _ in range(ended):
            decisions += len(engine.remove_contact(assigned.popleft())) + 1
        add(ended)
        now += _TICK_S
        elapsed = time.perf_counter() - started
    return {"engine_decisions_per_s": decisions / elapsed, "decisions": decisions}
