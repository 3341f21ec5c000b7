from celery import shared_task

from yicang.ledger.log.services import extend_log, sign_checkpoint


@shared_task(name="ledger.extend_public_log")
def extend_public_log(full: bool = False) -> int:
    """Append the public events not yet in the log: every minute, and `full` nightly (see extend_log).

    Safe to run twice or at once: the log's head is locked while appending.
    """
    return extend_log(full=full)


@shared_task(name="ledger.sign_checkpoint")
def sign_public_log_checkpoint() -> int | None:
    """Sign a checkpoint of the log when it grew (beat: every ten minutes); its size, or None."""
    checkpoint = sign_checkpoint()
    return checkpoint.tree_size if checkpoint is not None else None
