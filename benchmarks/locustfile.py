"""B4's users: workers filing cases, committee members claiming and deciding them, readers of the queues.

Run by ``benchmarks/b4_load.py``; the usernames and API tokens come from the environment so the same
file drives the bench data (``bench_*``) and the demo data (``seed_demo``):

    LOAD_WORKER_TOKEN, LOAD_COMMITTEE_TOKEN   API tokens (``manage.py api_token USER``)
    LOAD_MEDIATOR_ID                          the mediator a committee member assigns on accepting
    LOAD_READERS                              comma-separated usernames that read the queue pages
    LOAD_PASSWORD                             their password

The site runs as behind the TLS proxy (``X-Forwarded-Proto: https`` on every request), so its
``Secure`` cookies are kept by hand: requests' cookie jar would not send them over plain http.
"""

import itertools
import os
import random
import re
from http.cookies import SimpleCookie

from locust import HttpUser, between, task
from locust.exception import StopUser

PROXY = {"X-Forwarded-Proto": "https"}
READERS = itertools.cycle(os.environ.get("LOAD_READERS", "").split(","))


class Filer(HttpUser):
    """A worker files a complaint through the API (职工网上申请调解)."""

    weight = 2
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.headers = PROXY | {"Authorization": f"Token {os.environ['LOAD_WORKER_TOKEN']}"}

    @task
    def file_case(self):
        body = {
            "category": "wages",
            "facts": "拖欠工资三个月（负载测试）",
            "claims": "支付工资",
            "workers_involved": 1,
            "amount_claimed": "1000",
        }
        self.client.post("/api/v1/cases/", json=body, headers=self.headers, name="POST /api/v1/cases/")


class Committee(HttpUser):
    """A committee member claims a case's accept task from the queue and accepts it (受理)."""

    weight = 1
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.headers = PROXY | {"Authorization": f"Token {os.environ['LOAD_COMMITTEE_TOKEN']}"}
        self.mediator = os.environ.get("LOAD_MEDIATOR_ID")

    @task
    def claim_and_accept(self):
        page = self.client.get(
            "/api/v1/tasks/?box=queue&record_type=case", headers=self.headers, name="GET /api/v1/tasks/?box=queue"
        )
        tasks = page.json().get("results", []) if page.ok else []
        if not tasks:
            return
        pk = random.choice(tasks)["id"]
        # The committee users share one account, so they race for the same queue: claiming a task
        # already claimed by that account succeeds, and the loser's complete is refused with a 409.
        # Both 409s are the system refusing a second decision — expected, and counted apart.
        claimed = self._post(f"/api/v1/tasks/{pk}/claim/", {}, "POST /api/v1/tasks/[id]/claim/")
        if not claimed:
            return
        data = (
            {"decision": "accept", "mediator": self.mediator}
            if self.mediator
            else {"decision": "reject", "rejection_reason": "other", "note": "负载测试"}
        )
        self._post(f"/api/v1/tasks/{pk}/complete/", {"data": data}, "POST /api/v1/tasks/[id]/complete/")

    def _post(self, path, body, name):
        with self.client.post(path, json=body, headers=self.headers, name=name, catch_response=True) as response:
            if response.status_code == 409:
                response.success()
                self.environment.events.request.fire(
                    request_type="CONFLICT", name=f"{name} (409)", response_time=0, response_length=0, exception=None
                )
                return False
        return response.ok


class Reader(HttpUser):
    """Someone with a session opens their inbox and the claimable queue (待办 / 可认领)."""

    weight = 2
    wait_time = between(0.5, 1.5)

    def on_start(self):
        # Each simulated user logs in once (django-axes counts every failed attempt).  A reader whose
        # login fails is one failure with its cause, and stops: its page reads would only be
        # redirected to /login/ and counted as errors of the queue pages.
        self.cookies = {}
        username = next(READERS)
        self._get("/login/", "GET /login/")
        token = self.cookies.get("csrftoken", "")
        form = {"username": username, "password": os.environ["LOAD_PASSWORD"], "csrfmiddlewaretoken": token}
        with self.client.post(
            "/login/",
            data=form,
            headers=self._headers() | {"Referer": f"https://{self._host()}/login/"},
            allow_redirects=False,
            name="POST /login/",
            catch_response=True,
        ) as response:
            self._remember(response)
            if "sessionid" not in self.cookies:
                snippet = re.sub(r"\s+", " ", (response.text or "")[:300])
                response.failure(f"login of {username} failed: {response.status_code} {snippet}")
                raise StopUser()

    def _host(self):
        return re.sub(r"^https?://", "", self.host).rstrip("/")

    def _headers(self):
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return PROXY | ({"Cookie": cookie} if cookie else {})

    def _remember(self, response):
        if response is None:
            return
        for header in response.raw.headers.getlist("Set-Cookie"):
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value

    def _get(self, path, name):
        # A redirect to /login/ would pass as a 3xx: a queue page must answer 200.
        with self.client.get(
            path, headers=self._headers(), allow_redirects=False, name=name, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} {response.headers.get('Location', '')}")
        self._remember(response)
        return response

    @task(2)
    def inbox(self):
        self._get("/tasks/box/inbox/", "GET /tasks/box/inbox/")

    @task(1)
    def queue(self):
        self._get("/tasks/box/queue/", "GET /tasks/box/queue/")
