from django.urls import URLPattern, URLResolver, path

from forums.views import public, staff

app_name = "forums"
urlpatterns: list[URLPattern | URLResolver] = [
    path("forums/", public.index, name="index"),
    path("forums/<int:pk>/", public.forum_detail, name="forum"),
    path("forums/issues/", public.issue_list, name="issues"),
    path("forums/issues/<int:pk>/", public.issue_detail, name="issue"),
    path("forums/issues/<int:pk>/photo/", public.issue_photo, name="issue-photo"),
    path("forums/issues/<int:pk>/support/", public.support, name="support"),
    path("forums/raise/", public.raise_new, name="raise"),
    path("forums/results/", public.results_page, name="results"),
    path("forums/inbox/", public.inbox_page, name="inbox"),
    path("forums/help/", public.board, name="board"),
    path("forums/help/ask/", public.ask, name="ask"),
    path("forums/help/mine/", public.my_help, name="my-help"),
    path("forums/help/<int:pk>/", public.help_detail, name="help"),
    path("forums/help/<int:pk>/offer/", public.offer, name="offer"),
    path("forums/help/<int:pk>/helped/", public.helped, name="helped"),
    path("staff/forums/c/<slug:code>/", staff.community_forums, name="staff-community"),
    path("staff/forums/<int:pk>/", staff.forum_page, name="staff-forum"),
    path("staff/forums/<int:pk>/call/", staff.forum_call, name="staff-call"),
    path("staff/forums/<int:pk>/hold/", staff.forum_hold, name="staff-hold"),
    path("staff/forums/<int:pk>/close/", staff.forum_close, name="staff-close"),
    path("staff/forums/<int:pk>/issues/", staff.forum_record_issue, name="staff-record-issue"),
    path("staff/forums/<int:pk>/issues/<int:issue_pk>/common/", staff.issue_mark_common, name="staff-mark-common"),
    path("staff/forums/issues/<int:pk>/", staff.issue_page, name="staff-issue"),
    path("staff/forums/help/c/<slug:code>/", staff.moderation, name="staff-moderation"),
    path("staff/forums/help/<int:pk>/", staff.moderate, name="staff-moderate"),
    path("staff/forums/help/offers/<int:pk>/", staff.moderate_offer, name="staff-moderate-offer"),
]
