from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q

from recipients.models import RecipientFamily
from yicang.community.models import Community


@dataclass(frozen=True)
class Conversion:
    """Of the recipient families on the books by the end of a period, how many give time."""

    families: int
    volunteers: int
    new_volunteers: int

    @property
    def rate(self) -> float | None:
        return self.volunteers / self.families if self.families else None


def conversion(community: Community, start: date, end: date) -> Conversion:
    """Recipients who became volunteers, for one community and the period [start, end), in one query.

    `families`: families that had applied before `end`; `volunteers`: of those, the ones giving time
    by then; `new_volunteers`: the ones who started within the period.
    """
    counts = RecipientFamily.objects.filter(community=community, applied_on__lt=end).aggregate(
        families=Count("pk"),
        volunteers=Count("pk", filter=Q(volunteer_since__lt=end)),
        new_volunteers=Count("pk", filter=Q(volunteer_since__gte=start, volunteer_since__lt=end)),
    )
    return Conversion(counts["families"], counts["volunteers"], counts["new_volunteers"])
