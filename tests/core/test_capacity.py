"""Unit tests for the one capacity rule: chats share an agent, a video or callback takes them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hub.core.capacity import DEFAULT_CAPACITY, fits, slots

CAP = DEFAULT_CAPACITY  # chat 3, video 1, callback 1


def load(chat: int = 0, video: int = 0, callback: int = 0) -> dict[str, int]:
    return {"chat": chat, "video": video, "callback": callback}


def test_chats_share_an_agent_up_to_the_chat_capacity() -> None:
    assert slots(CAP, load(chat=1), "chat") == (2, 1)
    assert fits(CAP, load(chat=2), "chat")
    assert not fits(CAP, load(chat=3), "chat")


def test_a_video_or_callback_takes_the_agent_whole() -> None:
    assert not fits(CAP, load(chat=1), "video")
    assert not fits(CAP, load(video=1), "chat")
    assert not fits(CAP, load(callback=1), "callback")
    assert slots(CAP, load(video=1), "chat") == (0, 3)
    assert slots({"video": 2}, load(video=1), "video") == (0, 2)


def test_no_capacity_is_no_slot() -> None:
    assert slots({"chat": 0}, load(), "chat") == (0, 0)
    assert not fits({}, load(), "video")


@given(
    st.dictionaries(st.sampled_from(["chat", "video", "callback"]), st.integers(0, 5)),
    st.integers(0, 4),
    st.integers(0, 2),
    st.integers(0, 2),
    st.sampled_from(["chat", "video", "callback"]),
)
def test_slots_and_fits_agree(
    capacity: dict[str, int], chat: int, video: int, callback: int, channel: str
) -> None:
    free, busy = slots(capacity, load(chat, video, callback), channel)
    assert free >= 0 and busy >= 0
    assert free + busy == max(capacity.get(channel, 0), 0)
    assert fits(capacity, load(chat, video, callback), channel) == (free > 0)
