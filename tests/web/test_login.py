"""Only configured reviewers get in, and every inbox page needs the login."""

from tests.web.conftest import WebStack


async def test_inbox_redirects_to_login_and_a_reviewer_gets_in(web: WebStack):
    anonymous = await web.http.get("/review")
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/login?next=/review"
    wrong = await web.login(password="guess")
    assert wrong.status_code == 401 and "wrong password" in wrong.text
    signed_in = await web.login()
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/review"
    cookie = signed_in.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()


async def test_a_tampered_session_cookie_is_refused(web: WebStack):
    await web.login()
    value = web.http.cookies["flowdesk_session"]
    web.http.cookies.set("flowdesk_session", value[:-2] + ("AA" if value[-2:] != "AA" else "BB"))
    assert (await web.http.get("/review")).status_code == 303


async def test_login_redirects_only_to_this_site(web: WebStack):
    answer = await web.http.post(
        "/login", data={"username": "rita", "password": "correct horse battery staple",
                        "next": "//evil.example/x"},
    )  # fmt: skip
    assert answer.headers["location"] == "/review"


async def test_a_login_posted_from_another_site_is_refused(web: WebStack):
    answer = await web.http.post(
        "/login",
        data={"username": "rita", "password": "correct horse battery staple"},
        headers={"Origin": "https://evil.example"},
    )
    assert answer.status_code == 403 and "flowdesk_session" not in answer.headers.get(
        "set-cookie", ""
    )
    same_site = await web.http.post(
        "/login",
        data={"username": "rita", "password": "correct horse battery staple"},
        headers={"Origin": "http://testserver"},
    )
    assert same_site.status_code == 303
