"""Phone numbers as shoppers type them: parsed with their country, stored in E.164."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberFormat

# An ISO 3166-1 alpha-2 code, as the widget sends it ("FR", from the shopper's locale).
COUNTRY = re.compile(r"[A-Z]{2}")


@dataclass(frozen=True)
class Phone:
    e164: str  # what the hub stores and agents dial: "+33612345678"
    display: str  # what the shopper reads: "06 12 34 56 78" for a French shopper


def parse(text: str, country: str | None) -> Phone | None:
    """The number ``text`` means for a shopper of ``country``, or None when it is no number.

    With a country, the national forms of that country are read too ("06 12 34 56 78" in FR),
    and the number must be one that country's plan (or, with "+", another's) can call. The
    display form is national when the number is of the shopper's country, else international.
    """
    if len(text) > 40:
        return None
    try:
        number = phonenumbers.parse(text, country)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    return Phone(e164, display(e164, country))


def display(e164: str, country: str | None) -> str:
    """How ``e164`` reads for a shopper of ``country`` (the number itself when unparseable)."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    own = country is not None and phonenumbers.region_code_for_number(number) == country
    return phonenumbers.format_number(
        number, PhoneNumberFormat.NATIONAL if own else PhoneNumberFormat.INTERNATIONAL
    )
