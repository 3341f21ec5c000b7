import math
from dataclasses import dataclass

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import volunteers.network
from tests.factories import CommunityFactory, ResidentFactory
from tests.factories.volunteers import GroupFactory, MembershipFactory, VolunteerFactory
from volunteers.models import Group
from volunteers.network import (
    Bridge,
    GroupInfo,
    MembershipRow,
    build_network,
    community_network,
    picture,
    rank,
)
from yicang.community.models import Community


@dataclass
class Built:
    community: Community
    groups: dict[str, Group]


def build_chain(community: Community) -> Built:
    """夜跑队 ─ 王桥 ─ 送物资志愿队 ─ 赵桥 ─ 亲子阅读, with 3, 2 and 1 members in a single group.

    A tree, so each pair has one path: 王桥 cuts {夜跑队 and its 3} from the other 6 (24 pairs),
    赵桥 cuts {亲子阅读 and its 1} from the other 8 (16 pairs), of 45 pairs of other nodes.
    """
    groups = {
        "夜跑队": GroupFactory(community=community, name="夜跑队", interest=True),
        "送物资志愿队": GroupFactory(community=community, name="送物资志愿队"),
        "亲子阅读": GroupFactory(community=community, name="亲子阅读", interest=True),
    }
    members = {
        "夜跑队": ["张一", "张二", "张三", "王桥"],
        "送物资志愿队": ["李一", "李二", "王桥", "赵桥"],
        "亲子阅读": ["陈一", "赵桥"],
    }
    residents = {}
    for group, names in members.items():
        for name in names:
            if name not in residents:
                residents[name] = ResidentFactory(community=community, household__community=community, name=name)
            MembershipFactory(group=groups[group], resident=residents[name])
    return Built(community=community, groups=groups)


@pytest.mark.django_db
def test_bridges_are_ranked_by_betweenness_in_one_query(django_assert_num_queries: object) -> None:
    built = build_chain(CommunityFactory())

    with django_assert_num_queries(1):  # type: ignore[operator]
        network = community_network(built.community)

    assert [(b.name, [g.name for g in b.groups]) for b in network.bridges] == [
        ("王桥", ["夜跑队", "送物资志愿队"]),
        ("赵桥", ["亲子阅读", "送物资志愿队"]),
    ]
    assert [b.score for b in network.bridges] == pytest.approx([24 / 45, 16 / 45])
    assert network.exact is True
    assert network.residents == 8


@pytest.mark.django_db
def test_members_of_a_single_group_are_not_bridges_but_counted_on_their_group() -> None:
    built = build_chain(CommunityFactory())

    network = community_network(built.community)

    assert {b.name for b in network.bridges} == {"王桥", "赵桥"}
    assert [(g.name, g.kind, g.members, g.only_here) for g in network.groups] == [
        ("亲子阅读", "interest", 2, 1),
        ("夜跑队", "interest", 4, 3),
        ("送物资志愿队", "volunteer", 4, 2),
    ]


@pytest.mark.django_db
def test_the_network_is_the_communitys_own() -> None:
    built = build_chain(CommunityFactory())
    other = CommunityFactory()
    MembershipFactory.create_batch(2, group=GroupFactory(community=other, name="别处"))
    bridge = ResidentFactory(community=other, household__community=other, name="别处的桥")
    for group in GroupFactory.create_batch(2, community=other):
        MembershipFactory(group=group, resident=bridge)

    network = community_network(built.community)

    assert [b.name for b in network.bridges] == ["王桥", "赵桥"]
    assert "别处" not in [g.name for g in network.groups]


@pytest.mark.django_db
def test_a_bridge_who_volunteers_links_to_their_volunteer_page() -> None:
    built = build_chain(CommunityFactory())
    volunteer = VolunteerFactory(
        community=built.community,
        resident=built.community.residents.get(name="王桥"),  # type: ignore[attr-defined]
    )

    network = community_network(built.community)

    assert [(b.name, b.volunteer_id) for b in network.bridges] == [("王桥", volunteer.pk), ("赵桥", None)]


def _rows(pairs: list[tuple[int, int]]) -> list[MembershipRow]:
    return [MembershipRow(r, f"居民{r:02d}", None, g, f"组{g}", "volunteer" if g % 2 else "interest") for r, g in pairs]


def test_twin_bridges_tie_and_are_ordered_by_name() -> None:
    # 居民01 and 居民02 are both in groups 1 and 2: every path between the groups' sides is split between them.
    network = build_network(_rows([(1, 1), (1, 2), (2, 1), (2, 2), (3, 1), (4, 2), (5, 2)]))

    assert [b.name for b in network.bridges] == ["居民01", "居民02"]
    assert network.bridges[0].score == pytest.approx(network.bridges[1].score)


def test_equal_scores_go_to_the_resident_in_more_groups_then_by_name() -> None:
    one, two, three = (GroupInfo(pk=n, name=f"组{n}", kind="interest", members=2, only_here=0) for n in (1, 2, 3))
    bridges = [
        Bridge(resident_id=1, name="乙", volunteer_id=None, groups=(one, two), score=0.25),
        Bridge(resident_id=2, name="甲", volunteer_id=None, groups=(one, two), score=0.25 + 1e-12),
        Bridge(resident_id=3, name="丙", volunteer_id=None, groups=(one, two, three), score=0.25),
        Bridge(resident_id=4, name="丁", volunteer_id=None, groups=(one, two), score=0.5),
    ]

    assert [b.name for b in rank(bridges)] == ["丁", "丙", "乙", "甲"]


@settings(max_examples=60, deadline=None)
@given(st.sets(st.tuples(st.integers(0, 14), st.integers(0, 5)), min_size=1, max_size=40))
def test_the_ranking_equals_networkx_betweenness_on_the_whole_graph(pairs: set[tuple[int, int]]) -> None:
    """Searching from groups (weighted by their single-group members) and bridges gives the exact scores."""
    network = build_network(_rows(sorted(pairs)))

    whole = nx.Graph([(("r", r), ("g", g)) for r, g in pairs])
    expected = nx.betweenness_centrality(whole)
    assert {b.resident_id: b.score for b in network.bridges} == pytest.approx(
        {r: expected[("r", r)] for r in {r for r, _ in pairs} if whole.degree[("r", r)] >= 2}
    )
    assert network.exact is True


def test_a_large_network_is_estimated_from_a_fixed_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(volunteers.network, "MAX_BRIDGE_SOURCES", 3)
    rows = _rows([(r, g) for r in range(12) for g in (r % 4, (r + 1) % 4)] + [(20 + r, r % 4) for r in range(8)])

    first, again = build_network(rows), build_network(rows)

    assert first.exact is False
    assert [(b.resident_id, b.score) for b in first.bridges] == [(b.resident_id, b.score) for b in again.bridges]
    assert len(first.bridges) == 12


def test_the_picture_has_a_circle_for_each_group_and_bridge_and_a_line_per_membership() -> None:
    network = build_network(_rows([(1, 1), (1, 2), (2, 2), (2, 3), (2, 4), (3, 1), (4, 4)]))

    drawn = picture(network)

    assert [dot.group.pk for dot in drawn.groups] == [1, 2, 4, 3]  # largest (then by name) first, then most shared
    assert [(dot.rank, dot.bridge.resident_id) for dot in drawn.bridges] == [(1, 2), (2, 1)]
    assert len(drawn.lines) == 5
    assert drawn.left_out == 0
    assert drawn == picture(network)  # deterministic


def test_group_circles_do_not_overlap_and_everything_is_inside_the_picture() -> None:
    network = build_network(_rows([(r, g) for g in range(30) for r in range(g * 10, g * 10 + 1 + g)]))

    drawn = picture(network)

    for a, b in zip(drawn.groups, drawn.groups[1:], strict=False):
        assert math.dist((a.x, a.y), (b.x, b.y)) > a.r + b.r
    assert all(dot.x - dot.r >= 0 and dot.x + dot.r <= drawn.size for dot in drawn.groups)
    assert all(dot.y - dot.r >= 0 and dot.y + dot.r <= drawn.size for dot in drawn.groups)


def test_only_the_top_bridges_are_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(volunteers.network, "MAX_DRAWN_BRIDGES", 1)
    network = build_network(_rows([(1, 1), (1, 2), (2, 2), (2, 3), (3, 1)]))

    drawn = picture(network)

    assert [dot.bridge.name for dot in drawn.bridges] == [network.bridges[0].name]
    assert drawn.left_out == 1


def test_an_empty_network_has_an_empty_picture() -> None:
    network = build_network([])

    drawn = picture(network)

    assert (network.groups, network.bridges, network.residents) == ([], [], 0)
    assert (drawn.groups, drawn.bridges, drawn.lines) == ([], [], [])
