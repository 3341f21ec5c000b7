"""The API's router: every app's viewsets, under /api/v1/."""

from rest_framework.routers import DefaultRouter

from stores.api_delivery import DeliveryPlanViewSet
from yicang.community.api import CommunityViewSet, HouseholdViewSet, ResidentViewSet

router = DefaultRouter()
router.register("communities", CommunityViewSet)
router.register("households", HouseholdViewSet)
router.register("residents", ResidentViewSet)
router.register("delivery-plans", DeliveryPlanViewSet)
