"""The pure rules of webhooks (hub.core.webhooks): signatures the Standard Webhooks reference
library accepts, the retry schedule, and which URLs and addresses a delivery may go to."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from hub.core import webhooks as rules


def test_a_signature_verifies_with_the_reference_library() -> None:
    secret = rules.new_secret()
    body = '{"id":"msg_1","type":"contact.created","data":{"é":1}}'.encode()
    now = int(time.time())
    headers = {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(now),
        "webhook-signature": rules.sign(secret, "msg_1", now, body),
    }
    assert Webhook(secret).verify(body, headers)["type"] == "contact.created"
    # Another secret, another id or a changed body does not verify.
    with pytest.raises(WebhookVerificationError):
        Webhook(rules.new_secret()).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body, {**headers, "webhook-id": "msg_2"})
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body + b" ", headers)


@pytest.mark.parametrize(
    "secret", ["", "abc", "whsec_", "whsec_!!!", "whsec_" + "QQ==" * 2, "whsec_" + "A" * 200]
)
def test_a_bad_secret_is_refused(secret: str) -> None:
    with pytest.raises(ValueError, match="secret"):
        rules.secret_key(secret)


@given(st.integers(min_value=1, max_value=400))
def test_retries_double_up_to_ten_minutes_and_stop_after_a_day(attempts: int) -> None:
    created = 1_000_000.0
    # Tried at the schedule's times: the n-th retry comes 2^(n-1) s after (at most 600 s).
    now = created
    for n in range(1, attempts + 1):
        due = rules.retry_at(created, n, now)
        if due is None:
            assert now + min(600.0, 2.0 ** (n - 1)) > created + 86400
            return
        assert due - now == min(600.0, 2.0 ** (n - 1))
        assert due <= created + 86400
        now = due


def test_the_first_retries_are_one_two_and_four_seconds_later() -> None:
    assert [rules.retry_at(0.0, n, 0.0) for n in (1, 2, 3, 11, 30)] == [1, 2, 4, 600, 600]
    assert rules.retry_at(0.0, 5, 86399.0) is None


@pytest.mark.parametrize(
    "url",
    [
        "ftp://shop.example/",
        "shop.example/hooks",
        "https://",
        "https://user:pw@shop.example/",
        "https://shop.example:0/",
        "https://shop.example:99999/",
        "https://shop.example/" + "a" * 2000,
    ],
)
def test_a_url_that_is_not_a_webhook_is_refused(url: str) -> None:
    with pytest.raises(ValueError):
        rules.check_url(url)


def test_a_good_url_passes() -> None:
    assert rules.check_url("https://shop.example:8443/hooks?x=1") == (
        "https://shop.example:8443/hooks?x=1"
    )


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("127.0.0.1", False),
        ("10.0.0.5", False),
        ("172.16.3.4", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("::1", False),
        ("fe80::1%eth0", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),
        ("224.0.0.1", False),
    ],
)
def test_only_public_addresses_may_receive(address: str, public: bool) -> None:
    assert rules.is_public(address) is public
