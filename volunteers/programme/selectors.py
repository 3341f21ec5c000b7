from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, Sum

from volunteers.programme.models import Activity, Commendation, RiceChild, TrainingSession
from yicang.community.models import Community


@dataclass(frozen=True)
class ActivityCounts:
    """What the programme did in a community over a period, as numbers only: no names, no one to find."""

    activities: dict[str, int] = field(default_factory=dict)
    theatre_audiences: int = 0
    rice_children: int = 0
    neighbours_contacted: int = 0
    neighbours_giving: int = 0
    rice_grams: int = 0
    training_sessions: int = 0
    attendances: int = 0
    commendations: int = 0


def activity_counts(community: Community, start: date, end: date) -> ActivityCounts:
    """Counts for statistics, for one community and the period [start, end), in four queries.

    `activities`: per kind (every kind present, zero included), by the day the activity was held;
    `theatre_audiences`: theatres held that reached their one audience member; `rice_children`,
    `neighbours_contacted` (doors knocked), `neighbours_giving` and `rice_grams`: of the A Spoon of
    Rice activities held; `training_sessions` held and their `attendances` (volunteers who came);
    `commendations` awarded.
    """
    in_period = Q(held_on__gte=start, held_on__lt=end)
    # Each activity has at most one audience (a one-to-one key), so the join repeats no rows.
    per_kind = (
        Activity.objects.filter(in_period, community=community)
        .values("kind")
        .annotate(n=Count("pk"), audiences=Count("audience"))
        .order_by("kind")
    )
    activities = dict.fromkeys(Activity.Kind.values, 0)
    audiences = 0
    for row in per_kind:
        activities[row["kind"]] = row["n"]
        audiences += row["audiences"]
    # One row per child and visit: children counted distinct, visits and grams once each.
    rice = RiceChild.objects.filter(
        activity__community=community, activity__held_on__gte=start, activity__held_on__lt=end
    ).aggregate(
        children=Count("pk", distinct=True),
        doors=Count("visits"),
        giving=Count("visits", filter=Q(visits__agreed=True)),
        grams=Sum("visits__rice_grams", default=0),
    )
    training = TrainingSession.objects.filter(in_period, curriculum__community=community).aggregate(
        sessions=Count("pk", distinct=True), came=Count("attendances", filter=Q(attendances__attended=True))
    )
    commendations = Commendation.objects.filter(community=community, awarded_on__gte=start, awarded_on__lt=end).count()
    return ActivityCounts(
        activities=activities,
        theatre_audiences=audiences,
        rice_children=rice["children"],
        neighbours_contacted=rice["doors"],
        neighbours_giving=rice["giving"],
        rice_grams=rice["grams"],
        training_sessions=training["sessions"],
        attendances=training["came"],
        commendations=commendations,
    )
