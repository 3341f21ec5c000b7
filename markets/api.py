"""The API of markets, lattice funds and the community fund's projects.

Staff endpoints are scoped (ScopedViewSetMixin, ScopedPrimaryKeyRelatedField). Records without money
(markets, stalls, activities, shops, revenue reports, projects) are created and changed as records;
entries of money are created only through their service, with an idempotency key: the first call
answers 201, a retry with the same key and content 200 with the same entry, other content 409.
The public endpoints (no login) give a community's funds from the ledger, names only by consent.
"""

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, TypeVar

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from donors.models import AssistantEnterprise
from markets.models import (
    LatticeFund,
    LatticeShop,
    Market,
    MarketActivity,
    ProjectSpending,
    RevivalProject,
    Sale,
    ShopGrant,
    ShopRevenueReport,
    Stall,
    Subscription,
)
from markets.selectors import (
    PUBLIC_KINDS,
    describe,
    fund_legs,
    lattice_fund_of_account,
    market_report,
    monthly_flows,
    public_funds,
    public_projects,
    public_shareholders,
    public_shops,
)
from markets.services.lattices import open_lattice_fund, subscribe
from markets.services.markets import close_market, record_sale
from markets.services.projects import spend_on_project
from markets.services.shops import grant_to_shop
from stores.exceptions import UnknownCode
from stores.services.items import find_item
from yicang.community.access import current_user
from yicang.community.api import (
    ScopedModelSerializer,
    ScopedPrimaryKeyRelatedField,
    ScopedRecordViewSet,
    ScopedViewSetMixin,
    about_community,
)
from yicang.community.models import Community, Resident, User
from yicang.core.api import cached_answer
from yicang.core.months import this_month
from yicang.ledger.models import Account

F = TypeVar("F", bound=Callable[..., Any])
MONTHS_SHOWN = 12
MOVEMENTS_SHOWN = 100


# --- Records --------------------------------------------------------------------------------------


class MarketSerializer(ScopedModelSerializer):
    class Meta:
        model = Market
        fields = ["id", "community", "title", "held_on", "place", "status", "closed_at"]
        read_only_fields = ["status", "closed_at"]


class StallSerializer(ScopedModelSerializer):
    class Meta:
        model = Stall
        fields = ["id", "community", "market", "number", "seller", "description"]


class MarketActivitySerializer(ScopedModelSerializer):
    class Meta:
        model = MarketActivity
        fields = ["id", "community", "market", "kind", "title", "host", "people_served"]


class StallRowSerializer(serializers.Serializer[Any]):
    stall = serializers.IntegerField(source="stall.pk")
    number = serializers.IntegerField(source="stall.number")
    seller = serializers.CharField(source="stall.seller", allow_null=True)
    sales = serializers.IntegerField()
    total_fen = serializers.IntegerField()


class MarketReportSerializer(serializers.Serializer[Any]):
    market = MarketSerializer()
    stalls = StallRowSerializer(many=True)
    activities = MarketActivitySerializer(many=True)
    sales = serializers.IntegerField()
    sales_fen = serializers.IntegerField()
    items_sold = serializers.IntegerField()
    proceeds_fen = serializers.IntegerField(help_text="What the Yicang fund received, from the ledger.")


class MarketViewSet(ScopedRecordViewSet):
    """Charitable markets of the user's communities; `report` and `close` for one."""

    queryset = Market.objects.all()
    serializer_class = MarketSerializer
    filterset_fields = ["community", "status"]

    @extend_schema(responses=MarketReportSerializer)
    @action(detail=True, methods=["get"])
    def report(self, request: Request, pk: str | None = None) -> Response:
        report = market_report(self.get_object())
        return Response(MarketReportSerializer(report).data)

    @extend_schema(request=None, responses=MarketSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        market = self.get_object()
        if not request.user.has_perm("markets.close_market"):
            self.permission_denied(request)
        return Response(MarketSerializer(close_market(market=market, by=current_user(request))).data)


class StallViewSet(ScopedRecordViewSet):
    queryset = Stall.objects.all()
    serializer_class = StallSerializer
    filterset_fields = ["community", "market"]


class MarketActivityViewSet(ScopedRecordViewSet):
    queryset = MarketActivity.objects.all()
    serializer_class = MarketActivitySerializer
    filterset_fields = ["community", "market", "kind"]


class LatticeShopSerializer(ScopedModelSerializer):
    class Meta:
        model = LatticeShop
        fields = ["id", "community", "fund", "name", "place", "sells", "operator", "cooperative", "opened_on"]


class LatticeShopViewSet(ScopedRecordViewSet):
    queryset = LatticeShop.objects.all()
    serializer_class = LatticeShopSerializer
    filterset_fields = ["community", "fund"]


class ShopRevenueReportSerializer(ScopedModelSerializer):
    class Meta:
        model = ShopRevenueReport
        fields = ["id", "community", "shop", "month", "revenue_fen", "note"]


class ShopRevenueReportViewSet(ScopedRecordViewSet):
    """Each lattice shop's monthly revenue, as its operator reports it (not the programme's money)."""

    queryset = ShopRevenueReport.objects.all()
    serializer_class = ShopRevenueReportSerializer
    filterset_fields = ["community", "shop", "month"]


class RevivalProjectSerializer(ScopedModelSerializer):
    class Meta:
        model = RevivalProject
        fields = ["id", "community", "title", "asset", "place", "budget_fen", "status", "started_on"]


class RevivalProjectViewSet(ScopedRecordViewSet):
    """The community fund's projects that revive idle assets."""

    queryset = RevivalProject.objects.all()
    serializer_class = RevivalProjectSerializer
    filterset_fields = ["community", "status"]


# --- Entries of money -----------------------------------------------------------------------------


class EntryViewSet(ABC, ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet[Any]):
    """Read a community's entries of one kind, and make one through its service (`record`, per kind)."""

    input_class: type[serializers.Serializer[Any]]

    @abstractmethod
    def record(self, data: dict[str, Any], user: User) -> tuple[Any, bool]:
        """Call the kind's service with the validated input: (the entry, whether it was made now)."""

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        given = self.input_class(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        entry, created = self.record(dict(given.validated_data), current_user(request))
        return Response(self.get_serializer(entry).data, status=201 if created else 200)


def _entry_schema(
    input_class: type[serializers.Serializer[Any]], output: type[serializers.Serializer[Any]]
) -> Callable[[F], F]:
    return extend_schema(
        request=input_class,
        responses={
            201: output,
            200: OpenApiResponse(output, description="the entry made before with this key and content"),
            400: OpenApiResponse(description="bad input; nothing was written"),
            409: OpenApiResponse(description="the key was used for other content, or the state forbids it"),
        },
    )


class SaleSerializer(ScopedModelSerializer):
    class Meta:
        model = Sale
        fields = ["id", "community", "market", "stall", "what", "price_fen", "item", "sold_at", "transaction"]
        read_only_fields = fields


class SaleInput(serializers.Serializer[Any]):
    market = ScopedPrimaryKeyRelatedField(queryset=Market.objects.all())
    stall = ScopedPrimaryKeyRelatedField(queryset=Stall.objects.all())
    what = serializers.CharField(max_length=120)
    price_fen = serializers.IntegerField(help_text="The price in fen, more than zero.")
    item_code = serializers.CharField(
        max_length=30, required=False, allow_blank=True, help_text="A store item's code: it is marked sold."
    )
    idempotency_key = serializers.CharField(max_length=100)


class SaleViewSet(EntryViewSet):
    """Sales at charitable markets; each posts its price to the Yicang fund."""

    queryset = Sale.objects.all()
    serializer_class = SaleSerializer
    input_class = SaleInput
    filterset_fields = ["community", "market", "stall"]

    def record(self, data: dict[str, Any], user: User) -> tuple[Any, bool]:
        item = None
        if (data.get("item_code") or "").strip():
            try:
                item = find_item(data["item_code"], user=user)
            except UnknownCode as error:
                raise ValidationError({"item_code": [str(error.message)]}) from error
        return record_sale(
            market=data["market"],
            stall=data["stall"],
            what=data["what"],
            price_fen=data["price_fen"],
            item=item,
            by=user,
            idempotency_key=data["idempotency_key"],
        )

    @_entry_schema(SaleInput, SaleSerializer)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)


class LatticeFundSerializer(ScopedModelSerializer):
    balance_fen = serializers.IntegerField(source="account.shown_balance", read_only=True)

    class Meta:
        model = LatticeFund
        fields = ["id", "community", "name", "purpose", "account", "balance_fen", "created_at"]
        read_only_fields = ["account", "created_at"]


class LatticeFundViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet[Any]):
    """Lattice funds; a new one opens its own account in the ledger."""

    queryset = LatticeFund.objects.select_related("account")
    serializer_class = LatticeFundSerializer
    filterset_fields = ["community"]

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        serializer.instance = open_lattice_fund(
            community=data["community"], name=data["name"], purpose=data.get("purpose", "")
        )


class SubscriptionSerializer(ScopedModelSerializer):
    class Meta:
        model = Subscription
        fields = [
            "id",
            "community",
            "fund",
            "kind",
            "person_name",
            "resident",
            "enterprise",
            "shares",
            "amount_fen",
            "subscribed_at",
            "public_consent",
            "public_name",
            "transaction",
        ]
        read_only_fields = fields


class SubscriptionInput(serializers.Serializer[Any]):
    fund = ScopedPrimaryKeyRelatedField(queryset=LatticeFund.objects.all())
    amount_fen = serializers.IntegerField(help_text="A whole number of shares of CNY 1,000 (100000 fen) each.")
    person_name = serializers.CharField(max_length=80, required=False, allow_blank=True)
    resident = ScopedPrimaryKeyRelatedField(queryset=Resident.objects.all(), required=False, allow_null=True)
    enterprise = ScopedPrimaryKeyRelatedField(
        queryset=AssistantEnterprise.objects.all(), required=False, allow_null=True
    )
    public_consent = serializers.BooleanField(default=False)
    public_name = serializers.CharField(max_length=80, required=False, allow_blank=True)
    idempotency_key = serializers.CharField(max_length=100)


class SubscriptionViewSet(EntryViewSet):
    """The shareholder register of the lattice funds (staff); a subscription posts to the fund."""

    queryset = Subscription.objects.all()
    serializer_class = SubscriptionSerializer
    input_class = SubscriptionInput
    filterset_fields = ["community", "fund", "kind", "public_consent"]

    def record(self, data: dict[str, Any], user: User) -> tuple[Any, bool]:
        return subscribe(
            fund=data["fund"],
            amount_fen=data["amount_fen"],
            person_name=data.get("person_name", ""),
            resident=data.get("resident"),
            enterprise=data.get("enterprise"),
            public_consent=data["public_consent"],
            public_name=data.get("public_name", ""),
            by=user,
            idempotency_key=data["idempotency_key"],
        )

    @_entry_schema(SubscriptionInput, SubscriptionSerializer)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)


class ShopGrantSerializer(ScopedModelSerializer):
    class Meta:
        model = ShopGrant
        fields = ["id", "community", "shop", "fund", "amount_fen", "purpose", "granted_at", "transaction"]
        read_only_fields = fields


class ShopGrantInput(serializers.Serializer[Any]):
    shop = ScopedPrimaryKeyRelatedField(queryset=LatticeShop.objects.all())
    amount_fen = serializers.IntegerField()
    purpose = serializers.CharField(max_length=200)
    idempotency_key = serializers.CharField(max_length=100)


class ShopGrantViewSet(EntryViewSet):
    """Grants from lattice funds to their shops."""

    queryset = ShopGrant.objects.all()
    serializer_class = ShopGrantSerializer
    input_class = ShopGrantInput
    filterset_fields = ["community", "fund", "shop"]

    def record(self, data: dict[str, Any], user: User) -> tuple[Any, bool]:
        return grant_to_shop(
            shop=data["shop"],
            amount_fen=data["amount_fen"],
            purpose=data["purpose"],
            by=user,
            idempotency_key=data["idempotency_key"],
        )

    @_entry_schema(ShopGrantInput, ShopGrantSerializer)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)


class ProjectSpendingSerializer(ScopedModelSerializer):
    class Meta:
        model = ProjectSpending
        fields = ["id", "community", "project", "what", "amount_fen", "spent_at", "transaction"]
        read_only_fields = fields


class ProjectSpendingInput(serializers.Serializer[Any]):
    project = ScopedPrimaryKeyRelatedField(queryset=RevivalProject.objects.all())
    amount_fen = serializers.IntegerField()
    what = serializers.CharField(max_length=200)
    idempotency_key = serializers.CharField(max_length=100)


class ProjectSpendingViewSet(EntryViewSet):
    """What the community fund's projects spent."""

    queryset = ProjectSpending.objects.all()
    serializer_class = ProjectSpendingSerializer
    input_class = ProjectSpendingInput
    filterset_fields = ["community", "project"]

    def record(self, data: dict[str, Any], user: User) -> tuple[Any, bool]:
        return spend_on_project(
            project=data["project"],
            amount_fen=data["amount_fen"],
            what=data["what"],
            by=user,
            idempotency_key=data["idempotency_key"],
        )

    @_entry_schema(ProjectSpendingInput, ProjectSpendingSerializer)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)


# --- Public ---------------------------------------------------------------------------------------


class PublicFundSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    name = serializers.CharField()
    balance_fen = serializers.IntegerField(source="shown_balance")


class PublicFundsSerializer(serializers.Serializer[Any]):
    community = serializers.CharField(source="community.code")
    funds = PublicFundSerializer(many=True)


class PublicFundsView(APIView):
    """A community's funds (Yicang fund, community fund, lattice funds) and their balances, from the ledger."""

    permission_classes = [AllowAny]

    @extend_schema(tags=["public"], operation_id="public_funds", responses=PublicFundsSerializer)
    @cached_answer(about_community)
    def get(self, request: Request, code: str) -> Response:
        community = get_object_or_404(Community, code=code)
        return Response(PublicFundsSerializer({"community": community, "funds": list(public_funds(community))}).data)


class MonthFlowSerializer(serializers.Serializer[Any]):
    month = serializers.DateField()
    money_in = serializers.IntegerField(help_text="fen")
    money_out = serializers.IntegerField(help_text="fen")


class MovementSerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    amount = serializers.IntegerField(help_text="fen; positive into the fund, negative out of it")
    what = serializers.CharField()
    detail = serializers.CharField()


class NamedShareholderSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    shares = serializers.IntegerField()


class ShareholdersSerializer(serializers.Serializer[Any]):
    named = NamedShareholderSerializer(many=True)
    unnamed_count = serializers.IntegerField(help_text="subscriptions of shareholders who prefer not to be named")
    unnamed_shares = serializers.IntegerField()
    total_shares = serializers.IntegerField()


class PublicShopSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    place = serializers.CharField()
    sells = serializers.CharField()
    opened_on = serializers.DateField()
    granted_fen = serializers.IntegerField()


class PublicProjectSerializer(serializers.Serializer[Any]):
    title = serializers.CharField()
    asset = serializers.CharField()
    place = serializers.CharField()
    status = serializers.CharField()
    budget_fen = serializers.IntegerField()
    spent_fen = serializers.IntegerField()


class PublicFundDetailSerializer(PublicFundSerializer):
    community = serializers.CharField()
    months = MonthFlowSerializer(many=True)
    movements = MovementSerializer(many=True, help_text="the latest, newest first")
    shareholders = ShareholdersSerializer(allow_null=True)
    shops = PublicShopSerializer(many=True)
    projects = PublicProjectSerializer(many=True)


def about_community_this_month(view: Any, request: Request, kwargs: dict[str, Any]) -> list[str] | None:
    """A fund's answer shows twelve months up to this one: a new month is a new answer, though nothing changed."""
    topics = about_community(view, request, kwargs)
    return None if topics is None else [*topics, f"month:{this_month():%Y-%m}"]


class PublicFundView(APIView):
    """One fund from the ledger: balance, money in and out for twelve months, latest movements, and its
    shareholders (named only by consent) and shops, or its projects. No seller, operator or recipient."""

    permission_classes = [AllowAny]

    @extend_schema(
        tags=["public"],
        operation_id="public_fund",
        responses={200: PublicFundDetailSerializer, 404: OpenApiResponse(description="no such fund")},
    )
    @cached_answer(about_community_this_month)
    def get(self, request: Request, code: str, pk: int) -> Response:
        community = get_object_or_404(Community, code=code)
        account = Account.objects.filter(community=community, kind__in=PUBLIC_KINDS, pk=pk).first()
        if account is None:
            raise NotFound(_("No such fund."))
        fund = lattice_fund_of_account(account)
        register = public_shareholders(fund) if fund else None
        data = {
            "id": account.pk,
            "kind": account.kind,
            "name": account.name,
            "shown_balance": account.shown_balance,
            "community": community.code,
            "months": monthly_flows(account, last=this_month(), months=MONTHS_SHOWN),
            "movements": describe(list(fund_legs(account)[:MOVEMENTS_SHOWN])),
            "shareholders": None
            if register is None
            else {
                "named": [{"name": name, "shares": shares} for name, shares in register.named],
                "unnamed_count": register.unnamed_count,
                "unnamed_shares": register.unnamed_shares,
                "total_shares": register.total_shares,
            },
            "shops": list(public_shops(fund)) if fund else [],
            "projects": list(public_projects(community)) if account.kind == Account.Kind.COMMUNITY_FUND else [],
        }
        return Response(PublicFundDetailSerializer(data).data)
