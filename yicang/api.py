"""The API's router: every app's viewsets, under /api/v1/."""

from rest_framework.routers import DefaultRouter

from forums.api import ForumViewSet, HelpRequestViewSet, IssueViewSet
from forums.public_api import PublicForumViewSet, PublicIssueViewSet
from markets import api as markets
from stores.api_delivery import DeliveryPlanViewSet
from yicang.community.api import CommunityViewSet, HouseholdViewSet, ResidentViewSet

router = DefaultRouter()
router.register("communities", CommunityViewSet)
router.register("households", HouseholdViewSet)
router.register("residents", ResidentViewSet)
router.register("delivery-plans", DeliveryPlanViewSet)
router.register("markets", markets.MarketViewSet)
router.register("market-stalls", markets.StallViewSet)
router.register("market-activities", markets.MarketActivityViewSet)
router.register("market-sales", markets.SaleViewSet)
router.register("lattice-funds", markets.LatticeFundViewSet)
router.register("lattice-subscriptions", markets.SubscriptionViewSet)
router.register("lattice-shops", markets.LatticeShopViewSet)
router.register("lattice-grants", markets.ShopGrantViewSet)
router.register("lattice-revenue-reports", markets.ShopRevenueReportViewSet)
router.register("fund-projects", markets.RevivalProjectViewSet)
router.register("fund-spendings", markets.ProjectSpendingViewSet)
router.register("forums", ForumViewSet)
router.register("forum-issues", IssueViewSet, basename="forum-issue")
router.register("help-requests", HelpRequestViewSet, basename="help-request")
router.register("public/forums", PublicForumViewSet, basename="public-forum")
router.register("public/forum-issues", PublicIssueViewSet, basename="public-forum-issue")
