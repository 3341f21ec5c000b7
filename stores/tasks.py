from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from stores.labels import render_labels
from stores.models import LabelSheet
from stores.services import inventory
from stores.services.counts import refresh_monthly_counts
from yicang.core.months import months_to_recount


@shared_task(name="stores.render_label_sheet")
def render_label_sheet(sheet_id: int) -> None:
    """Render a label sheet's PDF, writing progress to the row; a done sheet is left as it is.

    Run again after a failure or a lost worker, it renders again and replaces any earlier file.
    On an error the sheet is marked failed with the message, and the error is raised again.
    """
    sheet = LabelSheet.objects.get(pk=sheet_id)
    if sheet.status == LabelSheet.Status.DONE:
        return
    LabelSheet.objects.filter(pk=sheet.pk).update(status=LabelSheet.Status.RENDERING, done_count=0, error="")
    base_url = settings.YICANG_PUBLIC_URL

    def progress(done: int) -> None:
        LabelSheet.objects.filter(pk=sheet.pk).update(done_count=done)

    try:
        items = list(sheet.items.select_related("category").order_by("pk"))
        pdf = render_labels(items, sheet.layout, base_url=base_url, progress=progress)
        if sheet.pdf:
            sheet.pdf.delete(save=False)
        sheet.pdf.save(f"sheet-{sheet.pk}.pdf", ContentFile(pdf), save=False)
    except Exception as error:
        LabelSheet.objects.filter(pk=sheet.pk).update(status=LabelSheet.Status.FAILED, error=str(error) or repr(error))
        raise
    LabelSheet.objects.filter(pk=sheet.pk).update(
        status=LabelSheet.Status.DONE,
        pdf=sheet.pdf.name,
        done_count=len(items),
        total=len(items),
        finished_at=timezone.now(),
    )


@shared_task(name="stores.refresh_monthly_counts")
def refresh_monthly_counts_task(month: str = "") -> list[str]:
    """Recount a month (YYYY-MM) for every community; by default this month, and last month too in the
    first days of a month, when late corrections of last month are still being recorded.

    Returns the months recounted. Safe to run again at any time.
    """
    months = months_to_recount(month)
    for first in months:
        refresh_monthly_counts(first)
    return [f"{first:%Y-%m}" for first in months]


@shared_task(name="stores.open_due_checks")
def open_due_checks() -> list[int]:
    """Open the inventory checks the warehouses' schedules ask for, with an alert to each manager.

    Returns the ids of the checks opened; run twice, the second run opens nothing.
    """
    return [check.pk for check in inventory.open_due_checks()]


@shared_task(name="stores.raise_expiry_alerts")
def raise_expiry_alerts() -> int:
    """Alert managers to items expiring within three days or expired, and email each a digest of what is new.

    Returns how many alerts were raised; run twice, the second run raises and mails nothing. A digest
    lost with a worker is sent by the next run (see mail_expiry_digests).
    """
    alerts = inventory.raise_expiry_alerts()
    inventory.mail_expiry_digests()
    return len(alerts)
