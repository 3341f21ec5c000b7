import threading
from collections.abc import Callable

from django.db import connections


def race(work: list[Callable[[], object]]) -> list[object]:
    """Run each piece of work in its own thread and database connection, all released at once.

    Returns what each returned or raised, in the order they finished: the outcome of every racer is
    what a concurrency test inspects. Meant for PostgreSQL with `django_db(transaction=True)`.
    """
    barrier = threading.Barrier(len(work))
    results: list[object] = []

    def run(job: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results.append(job())
        except Exception as error:  # an exception is an outcome here, not a failure of the helper
            results.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results
