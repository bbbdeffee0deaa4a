"""A message built to make the parser work hard is read with bounded work and says what
it lost: fields are cut (alone and as a whole), MIME parts are counted, HTML is reduced
in one pass. The time these take is the benchmark's (`bench.smtp_stall`); here, what a
person reading the ticket gets."""

import pytest

from adapters.mail.inbound_mail import UNKNOWN_SENDER, html_to_text, parse_email
from adapters.mail.mail_fields import MAX_FIELD_CHARS, MAX_HEADER_CHARS, cut_field
from bench.smtp_stall import crafted


@pytest.mark.parametrize(
    ("kind", "problem"),
    [
        ("folded_from", "over-long header field(s) cut: From"),
        ("long_to", "over-long header field(s) cut: To"),
        ("part_params", "over-long header field(s) cut: Content-Type"),
        ("params_per_part", "over-long header field(s) cut: Content-Type"),
        ("many_parts", "over 500 MIME boundaries; the body is raw text"),
    ],
)
def test_a_crafted_message_says_what_was_cut(kind: str, problem: str):
    parsed = parse_email(crafted(kind, 0))
    assert parsed.parse_problem is not None and problem in parsed.parse_problem
    assert parsed.message_id is not None, "the Message-ID, which names the run, is kept"


def test_a_folded_sender_of_encoded_words_is_unknown_not_half_read():
    parsed = parse_email(crafted("folded_from", 0))
    assert parsed.sender == UNKNOWN_SENDER
    assert "no usable sender address" in (parsed.parse_problem or "")


def test_unclosed_script_tags_hide_the_rest_as_a_browser_would():
    assert html_to_text("<p>Hello</p><script>x<script>y<p>hidden") == "Hello"
    assert html_to_text("<style>p{}</style><p>a &amp; b</p><br>c") == "a & b\n\nc"


def test_a_stray_angle_bracket_does_not_swallow_the_text():
    assert html_to_text("1 < 2 and <b>3</b> > 2") == "1 < 2 and 3 > 2"


def test_a_cut_list_ends_at_a_separator_and_references_keep_their_newest():
    addresses = ", ".join(f"user{i}@acme.example" for i in range(1000))
    ids = " ".join(f"<id{i}@acme.example>" for i in range(1000))

    head, tail = cut_field("To", addresses), cut_field("References", ids)

    assert len(head) <= MAX_FIELD_CHARS and head.endswith(".example")
    assert (
        len(tail) <= MAX_FIELD_CHARS
        and tail.startswith("<")
        and tail.endswith("<id999@acme.example>")
    )


def test_parts_share_one_budget_for_their_fields():
    """Each part's field is under the one-field cap, but together they are not: past the
    budget, a part keeps only its type, boundary and file name's worth."""
    params = "; ".join(f"p{i}=v" for i in range(400))
    part = f"--b\r\nContent-Type: text/plain; {params}\r\n\r\nhello\r\n"
    raw = (
        "From: kim@acme.example\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        + part * 40
        + "--b--\r\n"
    ).encode()
    assert len(params) < MAX_FIELD_CHARS and 40 * len(params) > MAX_HEADER_CHARS

    parsed = parse_email(raw)

    assert parsed.body == "hello"
    assert "over-long header field(s) cut: Content-Type" in (parsed.parse_problem or "")
