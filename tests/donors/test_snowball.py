import pytest

from donors.selectors import SnowballNode, TreeStats, recruitment_stats, snowball, tree_stats
from tests.donors.conftest import Side, build_tree
from tests.factories.donors import CompassionFamilyFactory

pytestmark = pytest.mark.django_db


def _figures(node: SnowballNode) -> tuple[object, ...]:
    """A tree as nested (name, opinion leader, size, depth, recruits) tuples."""
    return (node.name, node.opinion_leader, node.size, node.depth, [_figures(r) for r in node.recruits])


def test_every_family_gets_the_size_and_depth_of_the_tree_below_it(side_a: Side) -> None:
    tree = build_tree(side_a.community)

    stats = recruitment_stats({side_a.community.pk})

    assert {name: stats[family.pk] for name, family in tree.items()} == {
        "王家": TreeStats(size=5, depth=3),
        "李家": TreeStats(size=3, depth=2),
        "张家": TreeStats(size=0, depth=0),
        "刘家": TreeStats(size=1, depth=1),
        "陈家": TreeStats(size=0, depth=0),
        "杨家": TreeStats(size=0, depth=0),
        "赵家": TreeStats(size=1, depth=1),
        "黄家": TreeStats(size=0, depth=0),
        "吴家": TreeStats(size=0, depth=0),
    }


def test_the_figures_take_one_query_however_many_families(side_a: Side, django_assert_num_queries: object) -> None:
    build_tree(side_a.community)
    leader = CompassionFamilyFactory(community=side_a.community, opinion_leader=True)
    for _ in range(30):
        leader = CompassionFamilyFactory(recruited_by=leader)

    with django_assert_num_queries(1):  # type: ignore[operator]
        stats = recruitment_stats({side_a.community.pk})

    assert len(stats) == 40


def test_no_community_means_no_query(django_assert_num_queries: object) -> None:
    with django_assert_num_queries(0):  # type: ignore[operator]
        assert recruitment_stats(set()) == {}


def test_other_communities_are_left_out(side_a: Side, side_b: Side) -> None:
    build_tree(side_a.community)
    theirs = build_tree(side_b.community, prefix="交子")

    stats = recruitment_stats({side_b.community.pk})

    assert set(stats) == {family.pk for family in theirs.values()}


def test_a_chain_longer_than_pythons_recursion_limit_is_walked() -> None:
    chain = {n: (n - 1 if n else None) for n in range(5_000)}

    stats = tree_stats(chain)

    assert (stats[0], stats[4_000], stats[4_999]) == (TreeStats(4_999, 4_999), TreeStats(999, 999), TreeStats(0, 0))


def test_a_loop_written_around_the_rules_gets_no_figures_instead_of_hanging() -> None:
    assert tree_stats({1: 2, 2: 1, 3: None, 4: 3}) == {3: TreeStats(1, 1), 4: TreeStats(0, 0)}


def test_the_snowball_nests_each_tree_leaders_first_and_counts_the_rest(side_a: Side, side_b: Side) -> None:
    tree = build_tree(side_a.community)
    build_tree(side_b.community, prefix="交子")
    # A family that recruited without being an opinion leader has a tree too, after the leaders'.
    CompassionFamilyFactory(recruited_by=tree["吴家"], household__name="孙家")

    found = snowball(side_a.community)

    assert [_figures(root) for root in found.trees] == [
        (
            "王家",
            True,
            5,
            3,
            [
                ("李家", False, 3, 2, [("刘家", False, 1, 1, [("杨家", False, 0, 0, [])]), ("陈家", False, 0, 0, [])]),
                ("张家", False, 0, 0, []),
            ],
        ),
        ("赵家", True, 1, 1, [("黄家", False, 0, 0, [])]),
        ("吴家", False, 1, 1, [("孙家", False, 0, 0, [])]),
    ]
    assert found.on_their_own == 0


def test_families_on_their_own_are_counted_not_listed(side_a: Side) -> None:
    CompassionFamilyFactory.create_batch(3, community=side_a.community)
    CompassionFamilyFactory(community=side_a.community, opinion_leader=True, household__name="王家")

    found = snowball(side_a.community)

    assert ([root.name for root in found.trees], found.on_their_own) == (["王家"], 3)
