"""Use cases of markets, lattice funds and the community fund's projects.

Every entry of money (a sale, a share subscription, a grant to a shop, a project's spending) is one
row and one ledger transaction, written together or not at all, under an idempotency key that is
unique in its community: the same key with the same content returns the first row, with other content
it is a KeyReused conflict. Each locks its parent row (the market, the fund, the project) first, so
entries of one parent are taken one at a time and a market cannot close in the middle of a sale.

One module per part: `common` (the community's accounts and the checks every entry shares),
`markets` (sales, undoing one, closing a market), `lattices` (lattice funds and their shares), `shops`
(grants to lattice shops) and `projects` (the community fund's idle-asset projects). Import from them,
e.g. `from markets.services.markets import record_sale`.
"""
