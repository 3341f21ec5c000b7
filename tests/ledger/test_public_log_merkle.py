"""The Merkle tree of the public log against RFC 9162, its test vectors and an independent reference."""

import hashlib

import pytest

from yicang.ledger.log import merkle

# The test vectors of the Certificate Transparency reference code (RFC 6962/9162 trees): leaf data and
# the root of the tree of the first n leaves.
LEAVES = [bytes.fromhex(h) for h in ["", "00", "10", "2021", "3031", "40414243", "5051525354555657"]]
LEAVES.append(bytes.fromhex("606162636465666768696a6b6c6d6e6f"))
ROOTS = {
    1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    4: "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    6: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    7: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}
SIZES = range(1, 41)


def reference_root(leaves: list[bytes]) -> bytes:
    """MTH of RFC 9162 §2.1.1, word for word (recursive; leaves are leaf hashes)."""
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaves[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + reference_root(leaves[:k]) + reference_root(leaves[k:])).digest()


def reference_path(m: int, leaves: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]) of RFC 9162 §2.1.3.1."""
    n = len(leaves)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return [*reference_path(m, leaves[:k]), reference_root(leaves[k:])]
    return [*reference_path(m - k, leaves[k:]), reference_root(leaves[:k])]


def reference_subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b) of RFC 9162 §2.1.4.1."""
    n = len(leaves)
    if m == n:
        return [] if whole else [reference_root(leaves)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return [*reference_subproof(m, leaves[:k], whole), reference_root(leaves[k:])]
    return [*reference_subproof(m - k, leaves[k:], False), reference_root(leaves[:k])]


def hashes(count: int) -> list[bytes]:
    return [merkle.leaf_hash(f"leaf {i}".encode()) for i in range(count)]


def node_of(leaves: list[bytes]) -> merkle.NodeHash:
    return lambda level, index: reference_root(leaves[index << level : (index + 1) << level])


def test_the_empty_tree_is_the_hash_of_nothing() -> None:
    assert merkle.root_of([]) == hashlib.sha256(b"").digest()
    assert merkle.EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_a_leaf_and_a_node_are_hashed_with_their_prefixes() -> None:
    assert merkle.leaf_hash(b"") == hashlib.sha256(b"\x00").digest()
    assert merkle.node_hash(b"a" * 32, b"b" * 32) == hashlib.sha256(b"\x01" + b"a" * 32 + b"b" * 32).digest()


@pytest.mark.parametrize(("size", "root"), sorted(ROOTS.items()))
def test_roots_match_the_reference_vectors(size: int, root: str) -> None:
    leaf_hashes = [merkle.leaf_hash(d) for d in LEAVES[:size]]

    assert merkle.root_of(leaf_hashes).hex() == root
    assert merkle.range_hash(node_of(leaf_hashes), 0, size).hex() == root


@pytest.mark.parametrize("size", SIZES)
def test_roots_match_the_rfc_definition(size: int) -> None:
    leaves = hashes(size)

    assert merkle.root_of(leaves) == reference_root(leaves)
    assert merkle.range_hash(node_of(leaves), 0, size) == reference_root(leaves)


@pytest.mark.parametrize("size", SIZES)
def test_every_inclusion_proof_is_the_rfc_path_and_verifies(size: int) -> None:
    leaves = hashes(size)
    root = reference_root(leaves)

    for index in range(size):
        proof = merkle.inclusion_proof(node_of(leaves), index, size)

        assert proof == reference_path(index, leaves)
        assert merkle.verify_inclusion(leaves[index], index, size, proof, root)
        assert not merkle.verify_inclusion(leaves[index], index, size, proof, hashes(size + 1)[-1])
        assert not merkle.verify_inclusion(merkle.leaf_hash(b"forged"), index, size, proof, root)
        if size > 1:
            assert not merkle.verify_inclusion(leaves[index], (index + 1) % size, size, proof, root)
            assert not merkle.verify_inclusion(leaves[index], index, size, proof[:-1], root)
            assert not merkle.verify_inclusion(leaves[index], index, size, [*proof, root], root)


@pytest.mark.parametrize("second", SIZES)
def test_every_consistency_proof_is_the_rfc_proof_and_verifies(second: int) -> None:
    leaves = hashes(second)
    new_root = reference_root(leaves)

    for first in range(1, second + 1):
        old_root = reference_root(leaves[:first])
        proof = merkle.consistency_proof(node_of(leaves), first, second)

        assert proof == reference_subproof(first, leaves, True)
        assert merkle.verify_consistency(first, second, old_root, new_root, proof)
        if first < second:
            rewritten = reference_root([*leaves[: first - 1], merkle.leaf_hash(b"rewritten")])
            assert not merkle.verify_consistency(first, second, rewritten, new_root, proof)
            assert not merkle.verify_consistency(first, second, old_root, hashes(second + 1)[-1], proof)
            assert not merkle.verify_consistency(first, second, old_root, new_root, proof[:-1])
            assert not merkle.verify_consistency(first, second, old_root, new_root, [])


def test_proofs_out_of_range_are_refused() -> None:
    leaves = hashes(4)

    with pytest.raises(ValueError, match="not in a tree of 4"):
        merkle.inclusion_proof(node_of(leaves), 4, 4)
    with pytest.raises(ValueError, match="no consistency proof from 0 to 4"):
        merkle.consistency_proof(node_of(leaves), 0, 4)
    assert not merkle.verify_inclusion(leaves[0], 4, 4, [], reference_root(leaves))
    assert not merkle.verify_consistency(5, 4, reference_root(leaves), reference_root(leaves), [b"x" * 32])
