"""Use cases of the forums and the help board; the admin, the API and the pages call these, nothing else writes.

Each is atomic and writes nothing when it refuses: it raises a DomainError subclass from forums.exceptions,
whose message is for the person who tried. The rule that earns trust — no new forum in a community
while a common issue of its previous one is unresolved — lives in `call_forum` (forums.py) alone.

- common: the helpers they share (a model's own rules as a ForumError, staff of a community)
- forums: plan, change, call, hold and close forums
- issues: raise, record and support issues; common issues' action, progress and end
- grants: small grants to a common issue's action from the community fund, through the ledger
- notifications: a resident's inbox read
- board: the help board (requests, volunteers' offers, moderation)
"""
