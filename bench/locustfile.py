"""What one canvasser's phone does during an evening, for locust: `bench/canvasser_load.py` runs it.

Each simulated canvasser opens their walk list now and then, records a door online (htmx) or
through the outbox (the sync API), and pauses between doors as at a stairwell. Credentials come
from the JSON file the benchmark prepares (CANVASS_LOAD_PEOPLE): one per canvasser.
"""
import json
import os
import uuid
from datetime import UTC, datetime
from itertools import count

from locust import HttpUser, between, task

PEOPLE = json.loads(open(os.environ["CANVASS_LOAD_PEOPLE"]).read())
_next = count()


class Canvasser(HttpUser):
    wait_time = between(3, 7)

    def on_start(self):
        self.me = PEOPLE[next(_next) % len(PEOPLE)]
        self.client.headers["Cookie"] = self.me["cookie"]
        self.door = 0

    def _event(self) -> dict:
        self.door += 1
        stop = self.me["doors"][self.door % len(self.me["doors"])]
        return {"id": str(uuid.uuid4()), "recorded_at": datetime.now(UTC).isoformat(), "turf_id": self.me["turf"],
                "action_id": self.me["action"], "address_id": stop, "unit": str(self.door)}

    @task(1)
    def walk_list(self):
        self.client.get(self.me["walk"], name="GET walk list")

    @task(3)
    def door_online(self):
        self.client.post(self.me["record"], data={**self._event(), "outcome": "not_home",
                                                  "csrf_token": self.me["csrf"]},
                         headers={"HX-Request": "true"}, name="POST door (htmx)")

    @task(3)
    def door_from_outbox(self):
        self.client.post("/api/sync/v1/events", json={"protocol": 1, "events": [
            {**self._event(), "type": "visit", "outcome": "refused"}]},
            headers={"Authorization": f"Bearer {self.me['token']}"}, name="POST sync events")
