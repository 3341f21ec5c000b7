"""Reads for the donors' admin and staff pages: the snowball of who recruited whom, and its figures.

The recruitment tree is walked in Python, not in SQL. One query loads a community's (id, recruiter)
pairs; a community has at most a few thousand compassion families, so that is some tens of
kilobytes, and every family's figures then come out of one pass over them. A recursive CTE could do
it too (every ancestor-descendant pair, grouped by ancestor), but it is raw SQL that the ORM does not
express, it builds a row per pair where the walk reads one per family, and the Python runs the same
on PostgreSQL and SQLite. The walks are loops, not recursion: a long chain cannot hit Python's limit.
"""

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date

from donors.models import CompassionFamily
from yicang.community.models import Community


@dataclass(frozen=True)
class TreeStats:
    """The snowball below one family: `size` families recruited by it, directly or through others,
    over `depth` generations (0 when it recruited no one)."""

    size: int
    depth: int


def tree_stats(recruiters: Mapping[int, int | None]) -> dict[int, TreeStats]:
    """Size and depth of the tree below every family, from each family's recruiter's id.

    A family whose recruiter is not among `recruiters` counts as a root. Families caught in a loop
    (only possible if the rules were bypassed in SQL) hang below no root and get no figures.
    """
    children = _children(recruiters)
    roots = [pk for pk, parent in recruiters.items() if parent is None or parent not in recruiters]
    stats: dict[int, TreeStats] = {}
    # Recruits come after their recruiter in pre-order, so in reverse every family's recruits are done first.
    for pk in reversed(_preorder(roots, children)):
        below = [stats[child] for child in children.get(pk, ())]
        stats[pk] = TreeStats(
            size=sum(1 + s.size for s in below),
            depth=max((1 + s.depth for s in below), default=0),
        )
    return stats


def recruitment_stats(community_ids: Collection[int]) -> dict[int, TreeStats]:
    """The snowball figures of every compassion family of these communities, in one query (none for no community).

    Recruitment never crosses communities, so the trees of several communities can be loaded together.
    """
    if not community_ids:
        return {}
    return tree_stats(CompassionFamily.objects.filter(community_id__in=community_ids).recruiters())


@dataclass
class SnowballNode:
    """One family in the staff page's tree, with its recruits and the figures of the tree below it."""

    pk: int
    name: str
    opinion_leader: bool
    joined_on: date
    recruits: list["SnowballNode"] = field(default_factory=list)
    size: int = 0
    depth: int = 0


@dataclass(frozen=True)
class Snowball:
    """A community's recruitment trees, and the count of families outside any tree."""

    # Every opinion leader and every other family that recruited someone without being recruited:
    # opinion leaders first, then the largest trees.
    trees: list[SnowballNode]
    # Families that joined on their own and recruited no one: counted, not listed (there may be hundreds).
    on_their_own: int


def snowball(community: Community) -> Snowball:
    """The community's recruitment trees, nested, with size and depth at every family; one query."""
    rows = (
        CompassionFamily.objects.in_community(community)
        .order_by("joined_on", "household__name", "pk")
        .values_list("pk", "recruited_by_id", "household__name", "opinion_leader", "joined_on")
    )
    nodes: dict[int, SnowballNode] = {}
    recruiters: dict[int, int | None] = {}
    for pk, recruited_by_id, name, opinion_leader, joined_on in rows:
        nodes[pk] = SnowballNode(pk=pk, name=name, opinion_leader=opinion_leader, joined_on=joined_on)
        recruiters[pk] = recruited_by_id
    for pk, stats in tree_stats(recruiters).items():
        nodes[pk].size, nodes[pk].depth = stats.size, stats.depth
    roots: list[SnowballNode] = []
    for pk, node in nodes.items():  # in joined order, so every family's recruits are listed oldest first
        parent = recruiters[pk]
        if parent is not None and parent in nodes:
            nodes[parent].recruits.append(node)
        else:
            roots.append(node)
    trees = [root for root in roots if root.opinion_leader or root.recruits]
    trees.sort(key=lambda root: (not root.opinion_leader, -root.size))  # stable: joined order breaks ties
    return Snowball(trees=trees, on_their_own=len(roots) - len(trees))


def _children(recruiters: Mapping[int, int | None]) -> dict[int, list[int]]:
    children: dict[int, list[int]] = defaultdict(list)
    for pk, parent in recruiters.items():
        if parent is not None and parent in recruiters:
            children[parent].append(pk)
    return children


def _preorder(roots: list[int], children: Mapping[int, list[int]]) -> list[int]:
    order: list[int] = []
    stack = list(roots)
    while stack:
        pk = stack.pop()
        order.append(pk)
        stack.extend(children.get(pk, ()))
    return order
