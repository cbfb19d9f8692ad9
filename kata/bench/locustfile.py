"""Locust users for ``manage.py bench``: people with a storyboard open, as on a wall screen.

Each simulated user is signed in (``manage.py bench`` made the sessions), opens a storyboard,
then polls it for live updates nine times, as the open page does every few seconds, and moves
on to another board. There is no think time: the figure is what the server sustains.
"""

import itertools
import json
import os
import random

from locust import HttpUser, constant, task

with open(os.environ["KATA_BENCH_PLAN"]) as plan:
    PLAN = json.load(plan)
SESSIONS = itertools.cycle(PLAN["sessions"])
POLLS_PER_VISIT = 9


class BoardWatcher(HttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        self.client.cookies.set(PLAN["cookie"], next(SESSIONS))
        self.open_board()

    def open_board(self) -> None:
        self.board, self.revision = random.choice(PLAN["boards"])
        self.polls = 0
        self.get(f"/boards/{self.board}/", "/boards/[pk]/", 200)

    def get(self, url: str, name: str, status: int, headers: dict | None = None) -> None:
        # Redirects are not followed: a 302 to the sign-in page is an error, not a success.
        with self.client.get(
            url, name=name, headers=headers, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != status:
                response.failure(f"{response.status_code}, expected {status}")

    @task
    def watch(self) -> None:
        if self.polls >= POLLS_PER_VISIT:
            self.open_board()
            return
        self.polls += 1
        self.get(
            f"/boards/{self.board}/poll?since={self.revision}",
            "/boards/[pk]/poll (nothing changed)",
            204,
            {"HX-Request": "true"},
        )
