"""Identity rules: signatures, and what ``identify`` does to customers. Pure."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{1,63}$")


def sign_user_id(secret: str, user_id: str) -> str:
    """The ``user_hash`` a shop's backend computes: lowercase hex HMAC-SHA256 of the user id."""
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


def verify_user_hash(secret: str, user_id: str, user_hash: str) -> bool:
    # compare_digest keeps the comparison time independent of where the strings differ.
    return hmac.compare_digest(sign_user_id(secret, user_id), user_hash.lower())


def is_e164(phone: str) -> bool:
    # fullmatch: with match, "$" also matches before a trailing newline ("+33612345678\n").
    return bool(E164.fullmatch(phone))


def normalize_email(email: str) -> str:
    return email.strip().lower()


@dataclass(frozen=True)
class IdentifyPlan:
    """What a verified ``identify`` does.

    ``target`` is the customer the visitor is from now on (``None``: a new customer is created);
    ``attach`` says whether the verified user id is added to the target; ``merge_from`` names the
    customer whose history moves into the target.
    """

    target: str | None
    attach: bool
    merge_from: str | None


def plan_identify(
    current: str, current_user_id: str | None, owner: str | None, user_id: str
) -> IdentifyPlan:
    """Decide the effect of a correctly signed ``identify(user_id)``.

    ``current`` is the visitor's customer, ``current_user_id`` its verified user id if it has
    one, ``owner`` the customer that already holds ``user_id`` on this site, if any.

    Two customers with different verified user ids are never merged: a visitor who was already
    verified as someone else simply becomes the other customer on this device, and their old
    history stays where it is.
    """
    if current_user_id == user_id:
        return IdentifyPlan(target=current, attach=False, merge_from=None)
    if current_user_id is not None:
        if owner is not None:
            return IdentifyPlan(target=owner, attach=False, merge_from=None)
        return IdentifyPlan(target=None, attach=True, merge_from=None)
    if owner is not None and owner != current:
        return IdentifyPlan(target=owner, attach=False, merge_from=current)
    return IdentifyPlan(target=current, attach=True, merge_from=None)
