"""Phone numbers read with the shopper's country (hub.core.phones)."""

from __future__ import annotations

import pytest

from hub.core import phones


@pytest.mark.parametrize(
    ("typed", "country", "e164", "display"),
    [
        ("06 12 34 56 78", "FR", "+33612345678", "06 12 34 56 78"),
        ("06.12.34.56.78", "FR", "+33612345678", "06 12 34 56 78"),
        ("+33 6 12 34 56 78", "FR", "+33612345678", "06 12 34 56 78"),
        ("+33612345678", None, "+33612345678", "+33 6 12 34 56 78"),
        ("020 7946 0958", "GB", "+442079460958", "020 7946 0958"),
        ("+44 20 7946 0958", "FR", "+442079460958", "+44 20 7946 0958"),
    ],
)
def test_a_number_as_dialled_at_home_is_stored_in_e164(
    typed: str, country: str | None, e164: str, display: str
) -> None:
    assert phones.parse(typed, country) == phones.Phone(e164, display)


@pytest.mark.parametrize(
    ("typed", "country"),
    [("06 12 34", "FR"), ("06 12 34 56 78", None), ("hello", "FR"), ("0" * 41, "FR"), ("", "FR")],
)
def test_what_no_one_could_dial_is_none(typed: str, country: str | None) -> None:
    assert phones.parse(typed, country) is None


def test_a_stored_number_that_does_not_parse_is_shown_as_it_is() -> None:
    assert phones.display("+999", "FR") == "+999"
