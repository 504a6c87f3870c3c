"""Attachments' pure rules: a file's type by its bytes, the name it is offered under, links."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hub.core import files

SECRET = "s" * 32
KEY = "k" * 32


def test_the_type_is_read_from_the_first_bytes_only() -> None:
    assert files.sniff(b"\xff\xd8\xff\xe0rest") == "image/jpeg"
    assert files.sniff(b"\x89PNG\r\n\x1a\nrest") == "image/png"
    assert files.sniff(b"GIF89a..") == files.sniff(b"GIF87a..") == "image/gif"
    assert files.sniff(b"RIFF\x10\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert files.sniff(b"%PDF-1.7") == "application/pdf"
    for other in (b"", b"<svg/>", b"<!doctype html>", b"RIFF\x00\x00\x00\x00WAVE", b"PK\x03\x04"):
        assert files.sniff(other) is None, other


@given(st.text(max_size=300))
def test_a_name_is_safe_whatever_was_sent(name: str) -> None:
    for media_type, ext in files.EXTENSIONS.items():
        safe = files.safe_name(name, media_type)
        assert safe.endswith("." + ext) and len(safe) <= 100
        assert not set(safe) & set('/\\"\r\n\x00;')


def test_a_name_keeps_its_stem_and_takes_the_real_extension() -> None:
    assert files.safe_name("../../etc/holiday pic.gif", "image/png") == "holiday pic.png"
    assert files.safe_name('in"voice.pdf.exe', "application/pdf") == "in_voice.pdf.pdf"
    assert files.safe_name(None, "image/jpeg") == "file.jpg"


def test_a_link_serves_until_it_expires_and_only_as_signed() -> None:
    url = files.link(SECRET, KEY, "a.png", now=1000)
    query = dict(p.split("=", 1) for p in url.split("?", 1)[1].split("&"))
    exp, sig = int(query["exp"]), query["sig"]
    assert exp == 1000 + files.LINK_TTL_S
    assert files.check_link(SECRET, KEY, exp, "a.png", sig, now=exp) is None
    assert files.check_link(SECRET, KEY, exp, "a.png", sig, now=exp + 1) == "link_expired"
    assert files.check_link("t" * 32, KEY, exp, "a.png", sig, now=1000) == "bad_signature"
    assert files.check_link(SECRET, "j" * 32, exp, "a.png", sig, now=1000) == "bad_signature"
    assert files.check_link(SECRET, KEY, exp + 60, "a.png", sig, now=1000) == "bad_signature"
    assert files.check_link(SECRET, KEY, exp, "b.png", sig, now=1000) == "bad_signature"


def test_only_attachments_are_linked_and_erased_ones_are_not() -> None:
    event = {"type": "attachment", "data": {"file": KEY, "name": "a.png", "type": "image/png"}}
    assert files.linked(event, SECRET, 0)["data"]["url"].startswith(f"/files/{KEY}?")
    erased = {"type": "attachment", "data": {"type": "image/png", "erased": True}}
    assert files.linked(erased, SECRET, 0) == erased
    message = {"type": "message", "data": {"text": "hi", "file": KEY, "name": "x"}}
    assert files.linked(message, SECRET, 0) == message
