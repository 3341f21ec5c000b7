"""The public log with 100,000 leaves: appending, signing, proofs, the API and the verifier.

    createdb -h 127.0.0.1 -U postgres yicang_log_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yicang_log_bench .venv/bin/python -m bench.public_log

Loads --leaves transactions with bulk inserts (bench.ledger's loader), appends them all with
extend_log, signs a checkpoint, then times roots, proofs, the API endpoints (Django's test client, in
process) and the verifier's download of every leaf. Later runs reuse the data.
"""

import argparse
import os
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("API_THROTTLE_ANON", "1000000/minute")  # the bench is one address asking a lot

from django.core.management import call_command
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.ledger import book, load_history
from yicang.ledger.log import client as verifier
from yicang.ledger.log import merkle
from yicang.ledger.log.models import LogEntry
from yicang.ledger.log.selectors import StoredTree, log_size
from yicang.ledger.log.services import extend_log, sign_checkpoint


def timed(runs: int, work: Callable[[], object]) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), max(samples)


class InProcess(verifier.LogClient):
    """The verifier's client over Django's test client: the same requests, without a socket."""

    def __init__(self) -> None:
        super().__init__("http://testserver")
        self.browser = Client()

    def get(self, path: str, **params: Any) -> Any:
        response = self.browser.get(path, params)
        assert response.status_code == 200, (path, response.status_code)
        return response.json()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leaves", type=int, default=100_000, help="transactions in the book, hence leaves")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    community, cash, fund = book()
    load_history(community, cash, fund, args.leaves)
    print(f"database: {connection.vendor}")

    before = log_size()
    started = time.perf_counter()
    appended = extend_log()
    elapsed = time.perf_counter() - started
    if appended:
        print(f"extend_log: {appended:,} leaves appended in {elapsed:.1f} s ({appended / elapsed:,.0f} a second)")
    size = log_size()
    print(f"log size: {size:,} (was {before:,})")
    median, worst = timed(5, extend_log)
    print(f"{'extend_log, nothing new (each minute)':<44} median {median:8.1f} ms   max {worst:8.1f} ms")
    median, worst = timed(1, sign_checkpoint)
    print(f"{'sign_checkpoint (root from chunks, sign)':<44} median {median:8.1f} ms")

    leaves = [bytes(h) for h in LogEntry.objects.order_by("index").values_list("leaf_hash", flat=True)[:size]]
    median, worst = timed(3, lambda: [bytes(h) for h in LogEntry.objects.values_list("leaf_hash", flat=True)])
    print(f"{'read every leaf hash (no chunks)':<44} median {median:8.1f} ms   max {worst:8.1f} ms")
    median, worst = timed(3, lambda: merkle.root_of(leaves))
    print(f"{'root_of all leaf hashes in memory':<44} median {median:8.1f} ms   max {worst:8.1f} ms")
    median, worst = timed(args.runs, lambda: StoredTree(size).root())
    print(f"{'StoredTree root (chunks + last chunk)':<44} median {median:8.1f} ms   max {worst:8.1f} ms")
    rng = random.Random(9162)
    median, worst = timed(args.runs, lambda: StoredTree(size).inclusion_proof(rng.randrange(size)))
    print(f"{'StoredTree inclusion proof, random leaf':<44} median {median:8.1f} ms   max {worst:8.1f} ms")
    median, worst = timed(args.runs, lambda: StoredTree(size).consistency_proof(rng.randrange(1, size)))
    print(f"{'StoredTree consistency proof, random size':<44} median {median:8.1f} ms   max {worst:8.1f} ms")

    browser = Client()
    for label, url in [
        ("GET checkpoint", "/api/v1/log/checkpoint/"),
        ("GET entries (1,000)", f"/api/v1/log/entries/?start={size // 2}&end={size // 2 + 1000}"),
        ("GET inclusion proof", f"/api/v1/log/proof/inclusion/?index={size // 3}"),
        ("GET consistency proof", f"/api/v1/log/proof/consistency/?first={size // 3}"),
    ]:
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            browser.get(url)
        median, worst = timed(args.runs, lambda url=url: browser.get(url))  # type: ignore[misc]
        print(f"{label:<44} median {median:8.1f} ms   max {worst:8.1f} ms   {len(queries)} queries")

    remote = InProcess()
    _current, keys = verifier.public_keys(remote)
    head = verifier.verified_checkpoint(remote, keys)
    started = time.perf_counter()
    verifier.verify_entries(remote, head)
    elapsed = time.perf_counter() - started
    print(f"verifier: all {head.size:,} leaves fetched and the root recomputed in {elapsed:.1f} s")


if __name__ == "__main__":
    main()
