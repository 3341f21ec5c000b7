"""The community fund's idle-asset projects and what they spend."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from markets.exceptions import FundTooSmall, ProjectFinished
from markets.models import ProjectSpending, RevivalProject
from markets.services.common import (
    cash_of,
    clean_amount,
    clean_key,
    clean_text,
    community_fund_of,
    earlier_entry,
    insert_entry,
)
from yicang.community.models import User
from yicang.ledger.exceptions import InsufficientBalance
from yicang.ledger.services import Entry, post_transaction
from yicang.ledger.units import format_amount


@transaction.atomic
def spend_on_project(
    *,
    project: RevivalProject,
    amount_fen: int,
    what: str,
    by: User,
    idempotency_key: str,
    at: datetime | None = None,
) -> tuple[ProjectSpending, bool]:
    """Pay something a project bought from the community fund: `community fund +amount, cash -amount`.

    Returns the spending and whether it was recorded now. Raises BadAmount, MarketsError,
    ProjectFinished, FundTooSmall or KeyReused; nothing is written then.
    """
    key = clean_key(idempotency_key)
    amount_fen = clean_amount(amount_fen, _("The amount"))
    what = clean_text(what, _("what the money paid for"))
    project = RevivalProject.objects.select_for_update().select_related("community").get(pk=project.pk)
    content = {"project_id": project.pk, "amount_fen": amount_fen, "what": what}
    if (earlier := earlier_entry(ProjectSpending, project.community_id, key, content)) is not None:
        return earlier, False
    if project.status != RevivalProject.Status.ACTIVE:
        raise ProjectFinished(_("%(project)s is finished: it spends no more.") % {"project": project})
    when = at or timezone.now()
    spending, created = insert_entry(
        ProjectSpending(
            community=project.community,
            project=project,
            what=what,
            amount_fen=amount_fen,
            spent_at=when,
            recorded_by=by,
            idempotency_key=key,
        ),
        content,
    )
    if not created:
        return spending, False
    fund = community_fund_of(project.community)
    try:
        spending.transaction = post_transaction(
            community=project.community,
            entries=[Entry(fund, amount_fen), Entry(cash_of(project.community), -amount_fen)],
            reason=_("%(project)s: %(what)s") % {"project": project.title, "what": what},
            by=by,
            posted_at=when,
            cause=spending,
            idempotency_key=f"markets.projectspending.{spending.pk}",
        )
    except InsufficientBalance as error:
        raise FundTooSmall(
            _("%(amount)s was not spent: %(why)s") % {"amount": format_amount(amount_fen, "CNY"), "why": error.message}
        ) from error
    spending.save(update_fields=["transaction"])
    return spending, True
