from django.urls import URLPattern, URLResolver, path

from volunteers.market import views

app_name = "service_market"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.offer_list, name="offers"),
    path("offers/<int:pk>/", views.offer_detail, name="offer"),
    path("offers/<int:pk>/request/", views.request_offer, name="request"),
    path("my/", views.my_requests, name="my"),
    path("my/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("verify/", views.verify, name="verify"),
    path("groups/", views.groups, name="groups"),
    path("groups/<int:pk>/join/", views.join, name="join"),
]
