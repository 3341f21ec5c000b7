"""The network of a community's groups: the residents who bridge them, ranked, and a picture of it.

One query loads the community's memberships; networkx builds the bipartite graph of residents and groups
from them. A bridge is a resident in two or more groups, and bridges are ranked by their betweenness
centrality in that graph: the share of the shortest paths between everyone else that run through
them. That measures how much the network would fall apart without them: a resident who is the only
link between two large groups scores high, one of ten residents who all sit in the same two small
groups scores low. Ties go to the resident in more groups, then by name.

Cost, for a community of M memberships, V residents and groups, G groups and B bridges: the query
and the graph are O(M) (a few thousand rows at most, some hundred kilobytes). Betweenness (Brandes)
is one breadth-first search, O(V + M), per source node; over every node that is O(V·(V + M)), about
25 s for 3,000 members, far too slow for a page. Two things keep it bounded:

- Exact: a member of a single group is a leaf hanging off that group. Every shortest path from it is
  one from its group with one more step, so as a source it adds to every bridge's score exactly what
  its group adds. So the search from each group is counted 1 + (its single-group members) times,
  and no member of a single group is searched from. Searches: G + B.
- Bridges are searched from all of them up to MAX_BRIDGE_SOURCES; beyond that, from a fixed-seed
  sample of that many, each weighted by B / MAX_BRIDGE_SOURCES (an unbiased estimate, the same on
  every load of the same network). Searches: at most G + MAX_BRIDGE_SOURCES.

Measured on random networks on a development machine: 3,000 members in 40 groups with 600 bridges
rank in 1.3 s (6 s exactly; the sample keeps 8 of the exact top 10, scores within 7 %), 5,000
members in 60 groups in 3.4 s, 300 members in 0.04 s (exact). The picture's layout is O(G² + B) on top, milliseconds.
"""

import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any, NamedTuple

import networkx as nx

from volunteers.models import Group, Membership
from yicang.community.models import Community

# Above this many bridges, betweenness is estimated from a sample of them as sources (see above).
MAX_BRIDGE_SOURCES = 100
SAMPLE_SEED = 5272
# Scores equal in exact arithmetic differ in the last bits once summed in another order; rounded, they tie.
SCORE_DIGITS = 9

# The picture: a square of PICTURE_SIZE units, groups on a ring, at most MAX_DRAWN_BRIDGES bridges
# (the top of the ranking; the list next to the picture has them all).
PICTURE_SIZE = 720
LABEL_MARGIN = 100
MAX_DRAWN_BRIDGES = 150
GROUP_RADIUS = (10.0, 40.0)
BRIDGE_RADIUS = 6.0
# Bridges sit between their groups, pulled this far towards the centre so that those of two
# neighbouring groups clear the groups' circles.
PULL = 0.72
GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


class MembershipRow(NamedTuple):
    resident_id: int
    resident_name: str
    volunteer_id: int | None
    group_id: int
    group_name: str
    group_kind: str


@dataclass(frozen=True)
class GroupInfo:
    pk: int
    name: str
    kind: str
    members: int
    # Members in no other group: the picture shows them as this count, not one by one.
    only_here: int

    @property
    def is_volunteer_group(self) -> bool:
        return self.kind == Group.Kind.VOLUNTEER

    @property
    def kind_label(self) -> str:
        return str(Group.Kind(self.kind).label)


@dataclass(frozen=True)
class Bridge:
    resident_id: int
    name: str
    # The staff page of the resident as a volunteer; None for a resident only in interest groups.
    volunteer_id: int | None
    groups: tuple[GroupInfo, ...]
    # Normalised betweenness centrality in the bipartite graph, 0 to 1.
    score: float


@dataclass(frozen=True)
class Network:
    groups: list[GroupInfo]
    bridges: list[Bridge]
    residents: int
    # False when the ranking was estimated from a sample of the bridges (a very large network).
    exact: bool


@dataclass(frozen=True)
class GroupDot:
    group: GroupInfo
    x: float
    y: float
    r: float
    label_y: float


@dataclass(frozen=True)
class BridgeDot:
    bridge: Bridge
    rank: int
    x: float
    y: float
    r: float


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class Picture:
    size: int
    groups: list[GroupDot]
    bridges: list[BridgeDot]
    lines: list[Line]
    # Bridges ranked below MAX_DRAWN_BRIDGES: in the list, not in the picture.
    left_out: int


def membership_rows(community: Community) -> list[MembershipRow]:
    """Every membership of the community's groups with its resident's and group's names, in one query."""
    rows = (
        Membership.objects.filter(group__community=community)
        .order_by("group_id", "resident_id")
        .values_list(
            "resident_id", "resident__name", "resident__volunteer__id", "group_id", "group__name", "group__kind"
        )
    )
    return [MembershipRow(*row) for row in rows]


def community_network(community: Community) -> Network:
    """The community's groups, and its bridges ranked by how much they tie the network together.

    One query; see the module's docstring for the ranking and its cost.
    """
    return build_network(membership_rows(community))


def build_network(rows: Iterable[MembershipRow]) -> Network:
    """The network of these memberships: groups by kind and name, bridges ranked (no query)."""
    graph = nx.Graph()
    names: dict[int, str] = {}
    volunteers: dict[int, int | None] = {}
    kinds: dict[int, tuple[str, str]] = {}
    for row in rows:
        graph.add_node(("g", row.group_id), bipartite=1)
        graph.add_node(("r", row.resident_id), bipartite=0)
        graph.add_edge(("r", row.resident_id), ("g", row.group_id))
        names[row.resident_id] = row.resident_name
        volunteers[row.resident_id] = row.volunteer_id
        kinds[row.group_id] = (row.group_name, row.group_kind)

    groups: dict[int, GroupInfo] = {}
    for pk, (name, kind) in kinds.items():
        members = [resident for _, resident in graph[("g", pk)]]
        only_here = sum(1 for resident in members if graph.degree[("r", resident)] == 1)
        groups[pk] = GroupInfo(pk=pk, name=name, kind=kind, members=len(members), only_here=only_here)

    bridge_ids = sorted(resident for resident in names if graph.degree[("r", resident)] >= 2)
    scores, exact = _betweenness(graph, groups.values(), bridge_ids)
    bridges = [
        Bridge(
            resident_id=resident,
            name=names[resident],
            volunteer_id=volunteers[resident],
            groups=tuple(sorted((groups[g] for _, g in graph[("r", resident)]), key=lambda g: (g.name, g.pk))),
            score=scores[resident],
        )
        for resident in bridge_ids
    ]
    return Network(
        groups=sorted(groups.values(), key=lambda g: (g.kind, g.name, g.pk)),  # as Group.Meta.ordering
        bridges=rank(bridges),
        residents=len(names),
        exact=exact,
    )


def rank(bridges: Iterable[Bridge]) -> list[Bridge]:
    """Highest score first; on a tie, the resident in more groups, then by name."""
    return sorted(bridges, key=lambda b: (-round(b.score, SCORE_DIGITS), -len(b.groups), b.name, b.resident_id))


def _betweenness(graph: Any, groups: Iterable[GroupInfo], bridge_ids: Sequence[int]) -> tuple[dict[int, float], bool]:
    """Each bridge's normalised betweenness in `graph`, searching from groups and bridges only.

    Equal to networkx's betweenness_centrality(graph) for the bridges when exact (see the module).
    """
    weights: dict[float, list[tuple[str, int]]] = defaultdict(list)
    for group in groups:
        # The group's own search stands for those of its single-group members: the same paths, one step longer.
        weights[float(1 + group.only_here)].append(("g", group.pk))
    exact = len(bridge_ids) <= MAX_BRIDGE_SOURCES
    if exact:
        weights[1.0].extend(("r", pk) for pk in bridge_ids)
    else:
        # Seeded, so that a page shows the same ranking on every load; nothing here is a secret.
        sample = random.Random(SAMPLE_SEED).sample(list(bridge_ids), MAX_BRIDGE_SOURCES)  # noqa: S311
        weights[len(bridge_ids) / MAX_BRIDGE_SOURCES].extend(("r", pk) for pk in sorted(sample))

    scores = dict.fromkeys(bridge_ids, 0.0)
    targets = list(graph)
    # One call per distinct weight: a call's cost is its sources' searches, so grouping them is free.
    for weight, sources in sorted(weights.items()):
        part = nx.betweenness_centrality_subset(graph, sources, targets, normalized=True)
        for pk in bridge_ids:
            scores[pk] += weight * float(part[("r", pk)])
    return scores, exact


def picture(network: Network, *, size: int = PICTURE_SIZE) -> Picture:
    """Where to draw the groups (on a ring) and the top bridges (between their groups), in SVG units.

    Deterministic: the same network always gives the same picture. The groups sharing most bridges
    sit next to each other on the ring, so that fewer lines cross it.
    """
    # Not networkx's spring_layout: every networkx layout needs numpy, which is not installed.
    drawn = network.bridges[:MAX_DRAWN_BRIDGES]
    order = _ring_order(network.groups, drawn)
    centre = size / 2
    ring = size / 2 - LABEL_MARGIN
    big = max((g.members for g in order), default=1)
    largest = GROUP_RADIUS[1]
    if len(order) > 1:
        # Neighbouring groups' circles must not overlap: the chord between them bounds the radius.
        largest = min(largest, 0.42 * 2 * ring * math.sin(math.pi / len(order)))
    smallest = min(GROUP_RADIUS[0], largest)

    dots: dict[int, GroupDot] = {}
    for index, group in enumerate(order):
        angle = -math.pi / 2 + 2 * math.pi * index / len(order)
        distance = ring if len(order) > 1 else 0.0
        radius = smallest + (largest - smallest) * math.sqrt(group.members / big)
        x, y = centre + distance * math.cos(angle), centre + distance * math.sin(angle)
        # Names go below their circle, or above it on the top of the ring: centred, they fit the margin.
        above = len(order) > 1 and math.sin(angle) < -0.3
        dots[group.pk] = GroupDot(
            group=group,
            x=round(x, 1),
            y=round(y, 1),
            r=round(radius, 1),
            label_y=round(y - radius - 8 if above else y + radius + 20, 1),
        )

    bridges: list[BridgeDot] = []
    lines: list[Line] = []
    # Bridges of the same groups would land on one spot: they spread on a small sunflower spiral.
    seen: Counter[tuple[int, ...]] = Counter()
    for rank_, bridge in enumerate(drawn, start=1):
        key = tuple(g.pk for g in bridge.groups)
        nth = seen[key]
        seen[key] += 1
        ends = [dots[pk] for pk in key]
        mid_x = centre + PULL * (sum(d.x for d in ends) / len(ends) - centre)
        mid_y = centre + PULL * (sum(d.y for d in ends) / len(ends) - centre)
        step = 2.6 * BRIDGE_RADIUS * math.sqrt(nth)
        x = round(mid_x + step * math.cos(nth * GOLDEN_ANGLE), 1)
        y = round(mid_y + step * math.sin(nth * GOLDEN_ANGLE), 1)
        bridges.append(BridgeDot(bridge=bridge, rank=rank_, x=x, y=y, r=BRIDGE_RADIUS))
        lines.extend(Line(x1=x, y1=y, x2=end.x, y2=end.y) for end in ends)
    return Picture(
        size=size,
        groups=[dots[g.pk] for g in order],
        bridges=bridges,
        lines=lines,
        left_out=len(network.bridges) - len(drawn),
    )


def _ring_order(groups: Sequence[GroupInfo], bridges: Iterable[Bridge]) -> list[GroupInfo]:
    """The largest group first, then each time the group sharing most bridges with the last one placed."""
    shared: Counter[tuple[int, int]] = Counter()
    for bridge in bridges:
        for a, b in combinations(sorted(g.pk for g in bridge.groups), 2):
            shared[a, b] += 1
    left = sorted(groups, key=lambda g: (-g.members, g.name, g.pk))
    order = left[:1]
    del left[:1]
    while left:
        last = order[-1].pk
        best = min(left, key=lambda g: (-shared[min(last, g.pk), max(last, g.pk)], -g.members, g.name, g.pk))
        left.remove(best)
        order.append(best)
    return order
