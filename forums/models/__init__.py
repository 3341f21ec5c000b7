from forums.models.board import HelpOffer, HelpRequest
from forums.models.forums import (
    Action,
    DiscussionRules,
    Forum,
    Grant,
    Issue,
    IssueChange,
    ProgressUpdate,
    Support,
)
from forums.models.notifications import Notification

__all__ = [
    "Action",
    "DiscussionRules",
    "Forum",
    "Grant",
    "HelpOffer",
    "HelpRequest",
    "Issue",
    "IssueChange",
    "Notification",
    "ProgressUpdate",
    "Support",
]
