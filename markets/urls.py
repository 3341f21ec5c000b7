from django.urls import URLPattern, URLResolver, path

from markets import api, views

app_name = "markets"
urlpatterns: list[URLPattern | URLResolver] = [
    path("staff/markets/c/<slug:code>/", views.community_page, name="community"),
    path("staff/markets/<int:pk>/", views.market_page, name="market"),
    path("staff/markets/<int:pk>/close/", views.close_page, name="close"),
    path("staff/markets/funds/<int:pk>/", views.fund_page, name="fund"),
    path("staff/markets/shops/<int:pk>/", views.shop_page, name="shop"),
    path("staff/markets/projects/<int:pk>/", views.project_page, name="project"),
    path("funds/", views.public_index_page, name="public-index"),
    path("funds/<slug:code>/", views.public_funds_page, name="public-funds"),
    path("funds/<slug:code>/<int:pk>/", views.public_fund_page, name="public-fund"),
    path("funds/<slug:code>/markets/<int:pk>/", views.public_market_page, name="public-market"),
    path("api/v1/funds/<slug:code>/", api.PublicFundsView.as_view(), name="api-funds"),
    path("api/v1/funds/<slug:code>/<int:pk>/", api.PublicFundView.as_view(), name="api-fund"),
]
