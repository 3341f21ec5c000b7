"""The public verifiable log: every public event appended, without personal data, to a Merkle tree (RFC 9162).

`merkle` is the tree and its proofs (pure, no Django); `records` turns events into the canonical public
records and keeps the registry of sources (apps above register theirs); `models`, `services` and
`selectors` store, extend, sign and read it; `api` serves it; `client` is the verifier that uses only
the public API (`manage.py verify_log`).
"""
