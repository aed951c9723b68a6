"""Benchmark: the service under a desk day's load, on loopback, while a plan solves.

Builds the demo day into a fresh SQLite database in a temporary folder (``shuyun demo
--no-serve``), adds one branch-staff account per site and an admin, starts a real ``shuyun
serve`` on it (uvicorn, with its plan worker process) on 127.0.0.1, and then lets
``--users`` staff work at once (httpx async clients, each signed in as the staff of one
site): scanning copies at pickup and drop (``POST /transfers/pickup``, ``/transfers/drop``),
packing and scanning crates (``POST /crates/pack``, ``/crates/{id}/pickup``), taking copies
back (``POST /returns``), looking copies up (``GET /items/{barcode}``) and searching the
catalogue (``GET /records/search``), while the admin asks for the plan of the demo's van
day (``POST /plans`` with ``--plan-seconds``) and polls it (``GET /plans/{id}``) until done.

Reported per endpoint: requests, expected refusals (4xx: a copy scanned by two desks at
once is a 409, a copy already gone a 404 or 422), errors (5xx and transport failures),
p50/p95/max latency, against the target of 200 ms p95 (the issue's), with the ratio; and
whether the plan finished within its budget. Bounded: ``--seconds`` of load, at most
``--requests`` requests, every request with a timeout; the server is stopped at the end.

Usage::

    .venv/bin/python benchmarks/api_load.py [--users 50] [--seconds 30] [--requests 20000]
        [--plan-seconds 10] [--scale 0.1] [--server-workers 1] [--think 0]
        [--database-url URL] [--json OUT]

``--think S``: each desk pauses a random time of mean S seconds (exponential) before each
request, as a person between two scans; 0 (the default) is a closed loop with no pause,
the harshest case. ``--database-url``: an empty database to build the demo into instead
(PostgreSQL: ``source scripts/postgres.sh`` starts a throwaway one and sets
``SHUYUN_DATABASE_URL``); it is filled and left as it is at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import aliased

from catalog.clock import library_today
from catalog.db import create_engine, session_factory
from catalog.models import Item, ItemStatus, Record, Site, Transfer, TransferStatus
from catalog.users import create_user

ROOT = Path(__file__).resolve().parents[1]
TARGET_P95_MS = 200.0
"""The issue's target: every desk and scanner request answered within 200 ms at p95."""
REQUEST_TIMEOUT_S = 30.0
SERVER_START_S = 180.0
PLAN_SLACK_S = 5.0
"""A plan is within its budget when its worker took at most ``--plan-seconds`` and this
much more, from claiming the job to recording the plan (the search itself is what the
budget bounds; the day's matrices and the recording come around it)."""
PASSWORD = "load test password"
ACTIONS = {
    "GET /records/search": 30,
    "GET /items/{barcode}": 25,
    "POST /returns": 12,
    "POST /transfers/pickup": 12,
    "POST /transfers/drop": 8,
    "POST /crates/pack": 8,
    "POST /crates/{crate_id}/pickup": 5,
}
"""What a desk does, with how often (weights)."""


@dataclass
class Work:
    """What the staff have to do, shared by every client (one event loop: no locks)."""

    sites: list[str]
    to_pick: dict[str, list[str]]
    """Site -> barcodes of copies with an open trip from there."""
    to_drop: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    """Site -> barcodes picked up for there during the run."""
    crates: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    """Site -> crates packed there during the run."""
    on_loan: list[str] = field(default_factory=list)
    barcodes: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    refusals: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_samples: list[str] = field(default_factory=list)
    requests: int = 0

    def record(self, label: str, seconds: float, status: int | None, note: str = "") -> None:
        self.requests += 1
        self.latencies[label].append(seconds * 1000)
        if status is None or status >= 500:
            self.errors[label] += 1
            if len(self.error_samples) < 10:
                self.error_samples.append(f"{label}: {status} {note[:200]}")
        elif status >= 400:
            self.refusals[label] += 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(url: str, key: str) -> dict[str, str]:
    env = {**os.environ, "SHUYUN_DATABASE_URL": url, "SHUYUN_AUTH__SECRET_KEY": key}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.pop("SHUYUN_DATABASE__URL", None)
    return env


def build_demo(folder: Path, url: str, *, scale: float, env: dict[str, str]) -> float:
    """The demo day into ``url`` (``shuyun demo --no-serve``); its seconds."""
    started = time.perf_counter()
    command = [sys.executable, "-m", "api.cli", "demo", "--no-serve", "--scale", str(scale)]
    command += ["--time-limit", "3", "--out", str(folder / "demo")]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise SystemExit(f"shuyun demo failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return time.perf_counter() - started


def add_accounts(url: str, users: int) -> tuple[dict[str, str], Work]:
    """One branch-staff account (``load-<site>``) per site the ``users`` work at (the first
    by code, as many as there are users), and ``load-admin``; the work there is to do."""
    engine = create_engine(url)
    try:
        with session_factory(engine)() as session:
            every = list(session.scalars(select(Site.code).order_by(Site.code)))
            sites = every[: max(1, min(users, len(every)))]
            accounts = {code: f"load-{code}" for code in sites}
            for code, username in accounts.items():
                create_user(
                    session, username=username, password=PASSWORD, role="branch_staff",
                    site_code=code,
                )  # fmt: skip
            create_user(session, username="load-admin", password=PASSWORD, role="admin")
            session.commit()
            origin = aliased(Site)
            open_trips = session.execute(
                select(origin.code, Item.barcode)
                .join(Transfer, Transfer.item_id == Item.id)
                .join(origin, origin.id == Transfer.origin_site_id)
                .where(Transfer.status.in_([TransferStatus.requested, TransferStatus.planned]))
            )
            to_pick: dict[str, list[str]] = defaultdict(list)
            for code, barcode in open_trips:
                to_pick[code].append(barcode)
            on_loan = list(
                session.scalars(select(Item.barcode).where(Item.status == ItemStatus.on_loan))
            )
            barcodes = list(session.scalars(select(Item.barcode).limit(5000)))
            titles = list(session.scalars(select(Record.title).limit(2000)))
    finally:
        engine.dispose()
    words = sorted({t[i : i + 2] for t in titles for i in range(0, max(len(t) - 1, 1), 3)})
    work = Work(sites=sites, to_pick=to_pick, on_loan=on_loan, barcodes=barcodes, words=words)
    return accounts, work


@contextlib.contextmanager
def serving(url: str, env: dict[str, str], log: Path, *, workers: int = 1) -> Iterator[str]:
    """``shuyun serve`` (``workers`` server processes, and its plan worker) on a free loopback
    port, stopped at the end."""
    port = _free_port()
    command = [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_S
        while True:
            if process.poll() is not None:
                raise SystemExit(f"shuyun serve ended ({process.returncode}):\n{_tail(log)}")
            try:
                if httpx.get(f"{base}/healthz", timeout=5).status_code in (200, 503):
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"shuyun serve did not answer in {SERVER_START_S:.0f} s")
            time.sleep(0.5)
        yield base
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's own process group (it, its uvicorn and plan workers), then
    SIGKILL if it has not ended within 30 s."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


async def _call(
    client: httpx.AsyncClient, stats: Stats, label: str, method: str, path: str, **kw: Any
) -> httpx.Response | None:
    started = time.perf_counter()
    try:
        response = await client.request(method, path, **kw)
    except httpx.HTTPError as error:
        stats.record(label, time.perf_counter() - started, None, repr(error))
        return None
    stats.record(label, time.perf_counter() - started, response.status_code, response.text)
    return response


async def _desk(
    client: httpx.AsyncClient,
    site: str,
    work: Work,
    stats: Stats,
    rng: random.Random,
    *,
    until: float,
    budget: int,
    think: float = 0.0,
) -> None:
    labels, weights = list(ACTIONS), list(ACTIONS.values())
    while time.monotonic() < until and stats.requests < budget:
        if think > 0:
            # A person between two scans: exponential pauses of mean ``think`` seconds.
            await asyncio.sleep(
                min(rng.expovariate(1.0 / think), max(0.0, until - time.monotonic()))
            )
            if time.monotonic() >= until:
                break
        label = rng.choices(labels, weights)[0]
        if label == "POST /transfers/pickup" and work.to_pick.get(site):
            barcode = work.to_pick[site].pop()
            body = {"barcode": barcode, "site_code": site}
            answer = await _call(client, stats, label, "POST", "/transfers/pickup", json=body)
            if answer is not None and answer.status_code == 200:
                work.to_drop[answer.json()["destination_site_code"]].append(barcode)
        elif label == "POST /transfers/drop" and work.to_drop.get(site):
            body = {"barcode": work.to_drop[site].pop(), "site_code": site}
            await _call(client, stats, label, "POST", "/transfers/drop", json=body)
        elif label == "POST /crates/pack" and work.to_pick.get(site):
            body = {"barcode": work.to_pick[site].pop(), "site_code": site}
            answer = await _call(client, stats, label, "POST", "/crates/pack", json=body)
            if answer is not None and answer.status_code == 200:
                work.crates[site].append(answer.json()["crate_id"])
        elif label == "POST /crates/{crate_id}/pickup" and work.crates.get(site):
            path = f"/crates/{work.crates[site].pop()}/pickup"
            await _call(client, stats, label, "POST", path, json={"site_code": site})
        elif label == "POST /returns" and work.on_loan:
            body = {
                "barcode": work.on_loan.pop(rng.randrange(len(work.on_loan))),
                "site_code": site,
            }
            await _call(client, stats, label, "POST", "/returns", json=body)
        elif label == "GET /records/search" and work.words:
            params = {"q": rng.choice(work.words), "pickup_site": site}
            await _call(client, stats, label, "GET", "/records/search", params=params)
        else:  # a lookup, also when the chosen work has run out here
            label = "GET /items/{barcode}"
            path = f"/items/{rng.choice(work.barcodes)}"
            await _call(client, stats, label, "GET", path)


async def _plan(
    client: httpx.AsyncClient, stats: Stats, day: date, seconds: float, *, give_up: float
) -> dict[str, Any]:
    """Ask for the plan of ``day`` and poll it until it ends (or ``give_up``)."""
    body = {"date": day.isoformat(), "time_limit": seconds}
    asked = time.monotonic()
    answer = await _call(client, stats, "POST /plans", "POST", "/plans", json=body)
    if answer is None or answer.status_code != 202:
        return {"status": "not queued", "answer": None if answer is None else answer.text}
    plan_id = answer.json()["id"]
    state: dict[str, Any] = {}
    while time.monotonic() < give_up:
        await asyncio.sleep(1.0)
        polled = await _call(client, stats, "GET /plans/{plan_id}", "GET", f"/plans/{plan_id}")
        if polled is not None and polled.status_code == 200:
            state = polled.json()
            if state["status"] in ("done", "failed", "cancelled"):
                break
    wall = time.monotonic() - asked
    started, finished = state.get("started_at"), state.get("finished_at")
    solve = None
    if started and finished:
        elapsed = datetime.fromisoformat(finished) - datetime.fromisoformat(started)
        solve = round(elapsed.total_seconds(), 1)
    return {
        "id": plan_id,
        "status": state.get("status", "unknown"),
        "time_limit_s": seconds,
        "asked_to_end_s": round(wall, 1),
        "solve_s": solve,
        "within_budget": solve is not None and solve <= seconds + PLAN_SLACK_S,
    }


async def run_load(
    base: str, accounts: dict[str, str], work: Work, args: argparse.Namespace, day: date
) -> tuple[Stats, dict[str, Any], float]:
    stats = Stats()
    limits = httpx.Limits(max_connections=args.users + 4)
    timeout = httpx.Timeout(REQUEST_TIMEOUT_S)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout) as anon:
        tokens: dict[str, str] = {}
        for username in [*accounts.values(), "load-admin"]:
            form = {"username": username, "password": PASSWORD}
            answer = await _call(anon, stats, "POST /auth/token", "POST", "/auth/token", data=form)
            if answer is None or answer.status_code != 200:
                raise SystemExit(f"cannot sign in {username}: {answer and answer.text}")
            tokens[username] = answer.json()["access_token"]

    def client(username: str) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {tokens[username]}"}
        return httpx.AsyncClient(base_url=base, headers=headers, timeout=timeout, limits=limits)

    rng = random.Random(args.seed)
    started = time.monotonic()
    until = started + args.seconds
    budget = stats.requests + args.requests
    async with contextlib.AsyncExitStack() as stack:
        admin = await stack.enter_async_context(client("load-admin"))
        desks = []
        for i in range(args.users):
            site = work.sites[i % len(work.sites)]
            desk = await stack.enter_async_context(client(accounts[site]))
            desk_rng = random.Random(rng.random())
            desks.append(
                _desk(
                    desk, site, work, stats, desk_rng, until=until, budget=budget, think=args.think
                )
            )
        give_up = until + 3 * args.plan_seconds + 60
        plan_task = asyncio.create_task(
            _plan(admin, stats, day, args.plan_seconds, give_up=give_up)
        )
        await asyncio.gather(*desks)
        load_seconds = time.monotonic() - started
        plan = await plan_task
    return stats, plan, load_seconds


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def figures(stats: Stats) -> list[dict[str, Any]]:
    rows = []
    for label in sorted(stats.latencies):
        values = stats.latencies[label]
        # The ratio is of the figure shown, so the table reads consistently.
        p95 = round(_percentile(values, 0.95), 1)
        rows.append(
            {
                "endpoint": label,
                "requests": len(values),
                "refused_4xx": stats.refusals[label],
                "errors": stats.errors[label],
                "p50_ms": round(_percentile(values, 0.5), 1),
                "p95_ms": p95,
                "max_ms": round(max(values), 1),
                "target_p95_ms": TARGET_P95_MS,
                "ratio": round(p95 / TARGET_P95_MS, 2),
            }
        )
    return rows


def print_table(rows: list[dict[str, Any]]) -> None:
    head = f"{'endpoint':<32} {'n':>6} {'4xx':>5} {'err':>4} {'p50':>8} {'p95 ours':>9} "
    print(head + f"{'max':>8} {'target':>7} {'ratio':>6}")
    for r in rows:
        print(
            f"{r['endpoint']:<32} {r['requests']:>6} {r['refused_4xx']:>5} {r['errors']:>4} "
            f"{r['p50_ms']:>8.1f} {r['p95_ms']:>9.1f} {r['max_ms']:>8.1f} "
            f"{r['target_p95_ms']:>7.0f} {r['ratio']:>6.2f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="staff working at once")
    parser.add_argument("--seconds", type=float, default=30.0, help="seconds of load")
    parser.add_argument("--requests", type=int, default=20_000, help="at most this many")
    parser.add_argument("--plan-seconds", type=float, default=10.0, help="the plan's budget")
    parser.add_argument("--scale", type=float, default=0.1, help="demo size (shuyun demo)")
    parser.add_argument("--server-workers", type=int, default=1, help="shuyun serve --workers")
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean seconds a desk pauses between requests (0: none, a closed loop)",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="an empty database to fill and load (a postgresql+psycopg:// URL; "
        "default: SQLite in a temporary folder)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args(argv)
    if not (1 <= args.users <= 500 and 0 < args.seconds <= 3600 and args.requests >= 1):
        parser.error("--users 1-500, --seconds 0-3600, --requests at least 1")
    if not 0 <= args.think <= 60:
        parser.error(f"--think: 0-60 seconds, got {args.think}")
    with tempfile.TemporaryDirectory(prefix="shuyun-load-") as tmp:
        folder = Path(tmp)
        url = args.database_url or f"sqlite:///{folder / 'shuyun.sqlite'}"
        env = _env(url, secrets.token_urlsafe(32))
        build_s = build_demo(folder, url, scale=args.scale, env=env)
        accounts, work = add_accounts(url, args.users)
        day = library_today() + timedelta(days=1)  # the demo's van day
        log = folder / "server.log"
        with serving(url, env, log, workers=args.server_workers) as base:
            stats, plan, load_s = asyncio.run(run_load(base, accounts, work, args, day))
        server_errors = [line for line in _tail(log, 400).splitlines() if "Traceback" in line]
    rows = figures(stats)
    print(
        f"API under load: {args.users} users (think {args.think:g} s), {load_s:.1f} s, "
        f"{stats.requests} requests "
        f"({stats.requests / load_s:.0f}/s) on {args.server_workers} server process(es), "
        f"{url.split(':', 1)[0]}; "
        f"demo scale {args.scale} built in {build_s:.0f} s"
    )
    print_table(rows)
    print(
        f"plan {plan.get('id')}: {plan['status']}, claimed to recorded {plan.get('solve_s')} s "
        f"for a {args.plan_seconds:g} s budget (asked to done {plan.get('asked_to_end_s')} s); "
        f"within budget (+{PLAN_SLACK_S:g} s): {plan.get('within_budget')}"
    )
    for sample in stats.error_samples:
        print("error:", sample)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        figures_json = {
            "users": args.users,
            "think_s": args.think,
            "seconds": round(load_s, 1),
            "requests": stats.requests,
            "scale": args.scale,
            "database": url.split(":", 1)[0],
            "server_workers": args.server_workers,
            "target_p95_ms": TARGET_P95_MS,
            "endpoints": rows,
            "plan": plan,
            "error_samples": stats.error_samples,
            "server_tracebacks": len(server_errors),
        }
        args.json.write_text(json.dumps(figures_json, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
