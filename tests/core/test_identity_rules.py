"""Unit and property tests for the pure identity rules (DESIGN §7)."""

from __future__ import annotations

import string
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.core.identity import (
    IdentifyPlan,
    is_e164,
    normalize_email,
    plan_identify,
    sign_user_id,
    verify_user_hash,
)

HEX = "0123456789abcdef"
SECRETS = st.text(min_size=1, max_size=40)
USER_IDS = st.text(min_size=1, max_size=60)


# signatures


def test_sign_user_id_is_lowercase_hex_hmac_sha256() -> None:
    # The well-known HMAC-SHA256 example vector, so the algorithm is pinned independently.
    digest = sign_user_id("key", "The quick brown fox jumps over the lazy dog")
    assert digest == "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"


@given(secret=SECRETS, user_id=USER_IDS)
def test_signature_verifies_in_either_case(secret: str, user_id: str) -> None:
    digest = sign_user_id(secret, user_id)
    assert len(digest) == 64 and set(digest) <= set(HEX)
    assert verify_user_hash(secret, user_id, digest)
    assert verify_user_hash(secret, user_id, digest.upper())


@given(
    secret=SECRETS,
    user_id=USER_IDS,
    index=st.integers(min_value=0, max_value=63),
    replacement=st.sampled_from(HEX),
)
def test_any_altered_hash_is_refused(
    secret: str, user_id: str, index: int, replacement: str
) -> None:
    digest = sign_user_id(secret, user_id)
    if digest[index] == replacement:
        replacement = HEX[(HEX.index(replacement) + 1) % 16]
    altered = digest[:index] + replacement + digest[index + 1 :]
    assert not verify_user_hash(secret, user_id, altered)
    assert not verify_user_hash(secret, user_id, digest[:index])
    assert not verify_user_hash(secret, user_id, digest + replacement)


@given(secret=SECRETS, other_secret=SECRETS, user_id=USER_IDS, other_user=USER_IDS)
def test_signature_binds_secret_and_user_id(
    secret: str, other_secret: str, user_id: str, other_user: str
) -> None:
    digest = sign_user_id(secret, user_id)
    if other_user != user_id:
        assert not verify_user_hash(secret, other_user, digest)
    if other_secret != secret:
        assert not verify_user_hash(other_secret, user_id, digest)


def test_empty_and_garbage_hashes_are_refused() -> None:
    assert not verify_user_hash("secret", "u1", "")
    assert not verify_user_hash("secret", "u1", "z" * 64)
    assert not verify_user_hash("secret", "u1", sign_user_id("secret", "u2"))


# phones and emails


@pytest.mark.parametrize(
    "phone", ["+33612345678", "+14155552671", "+4930123456", "+1234567", "+123456789012345"]
)
def test_e164_accepts(phone: str) -> None:
    assert is_e164(phone)


@pytest.mark.parametrize(
    "phone",
    [
        "",
        "+",
        "0612345678",
        "33612345678",
        "+0612345678",
        "+33 6 12 34 56 78",
        "+33-612345678",
        "+123456",  # too short
        "+1234567890123456",  # 16 digits: too long
        "+3361234567a",
        "+33612345678\n",
        "++33612345678",
    ],
)
def test_e164_refuses(phone: str) -> None:
    assert not is_e164(phone)


@given(first=st.sampled_from("123456789"), rest=st.text(string.digits, min_size=6, max_size=14))
def test_e164_accepts_every_well_formed_number(first: str, rest: str) -> None:
    assert is_e164(f"+{first}{rest}")


@given(st.text(max_size=20))
def test_e164_needs_a_plus_and_digits_only(phone: str) -> None:
    if is_e164(phone):
        assert phone[0] == "+" and phone[1:].isascii() and phone[1:].isdigit()
        assert phone[1] != "0" and 7 <= len(phone) - 1 <= 15


def test_normalize_email() -> None:
    assert normalize_email("  Pat@Example.COM ") == "pat@example.com"


# plan_identify: the table


def test_fresh_visitor_with_unknown_user_id_becomes_verified_in_place() -> None:
    assert plan_identify("c1", None, None, "u1") == IdentifyPlan(
        target="c1", attach=True, merge_from=None
    )


def test_anonymous_visitor_of_a_known_user_is_merged_into_them() -> None:
    assert plan_identify("visitor", None, "owner", "u1") == IdentifyPlan(
        target="owner", attach=False, merge_from="visitor"
    )


def test_identifying_again_as_oneself_changes_nothing() -> None:
    assert plan_identify("c1", "u1", "c1", "u1") == IdentifyPlan(
        target="c1", attach=False, merge_from=None
    )


def test_verified_visitor_switching_to_a_known_user_is_never_merged() -> None:
    assert plan_identify("c1", "u1", "c2", "u2") == IdentifyPlan(
        target="c2", attach=False, merge_from=None
    )


def test_verified_visitor_switching_to_a_new_user_gets_a_new_customer() -> None:
    assert plan_identify("c1", "u1", None, "u2") == IdentifyPlan(
        target=None, attach=True, merge_from=None
    )


# plan_identify: a model of a site, driven by random sequences of identify and post


@dataclass
class Site:
    """Customers, their verified user id and history, and which customer each device is."""

    uid: dict[str, str | None] = field(default_factory=dict)
    history: dict[str, list[str]] = field(default_factory=dict)
    device: dict[int, str] = field(default_factory=dict)
    # Who wrote each message while verified: that history must stay with that user id.
    written_as: dict[str, str] = field(default_factory=dict)
    merged: set[str] = field(default_factory=set)
    counter: int = 0

    def new_customer(self) -> str:
        self.counter += 1
        cid = f"c{self.counter}"
        self.uid[cid] = None
        self.history[cid] = []
        return cid

    def owner(self, user_id: str) -> str | None:
        owners = [c for c, u in self.uid.items() if u == user_id and c not in self.merged]
        assert len(owners) <= 1, f"{user_id} is held by {owners}"
        return owners[0] if owners else None

    def identify(self, device: int, user_id: str) -> None:
        current = self.device[device]
        current_uid = self.uid[current]
        owner = self.owner(user_id)
        plan = plan_identify(current, current_uid, owner, user_id)
        if plan.merge_from is not None:
            # Never merge a customer that already has a (different) verified user id.
            assert plan.merge_from == current and current_uid is None
            assert plan.target is not None and plan.target != plan.merge_from
        if current_uid is not None and current_uid != user_id:
            assert plan.merge_from is None
        target = plan.target or self.new_customer()
        if plan.attach:
            assert self.uid[target] in (None, user_id)
            self.uid[target] = user_id
        if plan.merge_from is not None:
            source = plan.merge_from
            assert self.uid[target] == user_id
            self.history[target].extend(self.history[source])
            self.history[source] = []
            self.merged.add(source)
            # Every device of the merged visitor follows it (its tokens move).
            for d, c in self.device.items():
                if c == source:
                    self.device[d] = target
        self.device[device] = target
        assert self.uid[target] == user_id

    def post(self, device: int) -> None:
        cid = self.device[device]
        self.counter += 1
        message = f"m{self.counter}"
        self.history[cid].append(message)
        if self.uid[cid] is not None:
            self.written_as[message] = str(self.uid[cid])


OPS = st.lists(
    st.tuples(
        st.sampled_from(["identify", "post"]),
        st.integers(min_value=0, max_value=3),
        st.sampled_from(["u1", "u2", "u3"]),
    ),
    max_size=40,
)


@settings(max_examples=300)
@given(OPS)
def test_identify_rules_keep_every_history_and_never_join_two_users(
    ops: list[tuple[str, int, str]],
) -> None:
    site = Site()
    for d in range(4):
        site.device[d] = site.new_customer()
    posted: list[str] = []
    for op, device, user_id in ops:
        if op == "identify":
            site.identify(device, user_id)
        else:
            site.post(device)
            posted.append(site.history[site.device[device]][-1])
    # Nothing lost, nothing duplicated: every message is in exactly one live history.
    everywhere = [m for c, h in site.history.items() if c not in site.merged for m in h]
    assert sorted(everywhere) == sorted(posted)
    # A message written as a verified user stays with that user's customer.
    for cid, history in site.history.items():
        for message in history:
            if message in site.written_as:
                assert site.uid[cid] == site.written_as[message]
    # Each user id is held by at most one customer.
    for user_id in ("u1", "u2", "u3"):
        site.owner(user_id)
