from celery import shared_task

from forums.notify import deliver_notifications


@shared_task(name="forums.notify_supporters")
def notify_supporters(change_id: int) -> int:
    """Tell the supporters of an issue that its state changed: in their portal inbox, and by e-mail.

    Safe to run twice: the inbox lines are unique per change and account, and each e-mail sent is
    recorded on its line. Returns how many e-mails this run sent.
    """
    return deliver_notifications(change_id)
