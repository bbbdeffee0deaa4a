"""Sessions end when a reviewer signs out, and odd cookies or tokens are refused, not
crashed on."""

from tests.web.conftest import WebStack


async def test_signing_out_ends_the_session_for_a_copied_cookie_too(web: WebStack):
    await web.login()
    copied = web.http.cookies["flowdesk_session"]
    page = await web.http.get("/review")
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    assert (await web.http.post("/logout", data={"csrf": csrf})).status_code == 303
    web.http.cookies.set("flowdesk_session", copied)
    assert (await web.http.get("/review")).status_code == 303, "back to the login page"


async def test_non_ascii_cookies_and_tokens_are_refused_without_a_crash(web: WebStack):
    odd = {"cookie": "flowdesk_session=abc.é".encode()}
    assert (await web.http.get("/review", headers=odd)).status_code == 303
    await web.login()
    refused = await web.http.post("/logout", data={"csrf": "é"})
    assert refused.status_code == 403
