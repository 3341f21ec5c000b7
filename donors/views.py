from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from donors.selectors import SnowballNode, snowball
from yicang.community.models import Community
from yicang.community.scoping import get_scoped_or_404


@staff_member_required
def snowball_page(request: HttpRequest, code: str) -> HttpResponse:
    community = get_scoped_or_404(Community.objects.all(), request.user, code=code)
    if not request.user.has_perm("donors.view_compassionfamily"):
        raise PermissionDenied
    found = snowball(community)
    trees = [(root, list(_rows(root))) for root in found.trees]
    return render(
        request,
        "donors/snowball.html",
        {"community": community, "trees": trees, "on_their_own": found.on_their_own},
    )


@dataclass(frozen=True)
class Row:
    """One recruit of a tree, in the order the page lists them: the template opens a nested list after
    a family with recruits, and closes `closes` lists after the last family of each."""

    node: SnowballNode
    closes: range


def _rows(root: SnowballNode) -> Iterator[Row]:
    """The families below `root`, depth first; `root`'s own list of recruits is level 1."""
    # Flat rather than a recursive template: a long chain of recruits must not exhaust Python's
    # recursion (each nested include costs a dozen frames).
    order: list[tuple[SnowballNode, int]] = []
    stack = [(child, 1) for child in reversed(root.recruits)]
    while stack:
        node, level = stack.pop()
        order.append((node, level))
        stack.extend((child, level + 1) for child in reversed(node.recruits))
    next_levels = [level for _, level in order[1:]] + [1]  # the last family closes back to its root's list
    for (node, level), next_level in zip(order, next_levels[: len(order)], strict=True):
        # After the last family of a branch, close the lists back up to the next family's level.
        yield Row(node, range(0) if node.recruits else range(level - next_level))
