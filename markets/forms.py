"""Staff forms for money entries. Each carries a hidden idempotency key made when the form is shown:
sent twice (a double tap, a reload), it records one entry."""

import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from donors.models import AssistantEnterprise
from markets.models import LatticeFund, LatticeShop, Market, Stall, Subscription


class YuanField(forms.DecimalField):
    """An amount typed in yuan (12.50), cleaned to integer fen (1250)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("widget", forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        amount = super().clean(value)
        return None if amount is None else int(Decimal(amount) * 100)


class KeyedForm(forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["idempotency_key"].initial = uuid.uuid4().hex


class StallField(forms.ModelChoiceField[Stall]):
    def label_from_instance(self, obj: Stall) -> str:
        return f"{obj} · {obj.seller or _('centre stall')}"


class SaleForm(KeyedForm):
    stall = StallField(queryset=Stall.objects.none(), label=_("Stall"))
    what = forms.CharField(label=_("What was sold"), max_length=120)
    price = YuanField(label=_("Price (yuan)"))
    item_code = forms.CharField(
        label=_("Store item code"),
        required=False,
        max_length=30,
        help_text=_("Only for an item of the Yicang store: scan or type its code, and it is marked sold."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, market: Market, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stall = self.fields["stall"]
        assert isinstance(stall, forms.ModelChoiceField)
        stall.queryset = Stall.objects.filter(market=market).select_related("seller").order_by("number")


class SubscriptionForm(KeyedForm):
    kind = forms.ChoiceField(
        label=_("Shareholder is"),
        choices=Subscription.Kind.choices,
        initial=Subscription.Kind.INDIVIDUAL,
        widget=forms.RadioSelect,
    )
    person_name = forms.CharField(label=_("Name of the person"), max_length=80, required=False)
    enterprise = forms.ModelChoiceField(
        label=_("Assistant enterprise"), queryset=AssistantEnterprise.objects.none(), required=False
    )
    amount = YuanField(label=_("Amount (yuan)"), help_text=_("Shares are ¥1,000 each: 1000, 2000, 5000 …"))
    public_consent = forms.BooleanField(
        label=_("Agrees to be named in the public shareholder register"), required=False
    )
    public_name = forms.CharField(
        label=_("Name to show publicly"),
        max_length=80,
        required=False,
        help_text=_("Only with consent; the person's or enterprise's name when left empty."),
    )

    def __init__(self, *args: Any, fund: LatticeFund, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        enterprise = self.fields["enterprise"]
        assert isinstance(enterprise, forms.ModelChoiceField)
        enterprise.queryset = AssistantEnterprise.objects.filter(community_id=fund.community_id).order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == Subscription.Kind.ENTERPRISE and not data.get("enterprise"):
            self.add_error("enterprise", _("Choose the enterprise."))
        if data.get("kind") == Subscription.Kind.INDIVIDUAL and not (data.get("person_name") or "").strip():
            self.add_error("person_name", _("Give the person's name."))
        if data.get("kind") == Subscription.Kind.ENTERPRISE:
            data["person_name"] = ""
        else:
            data["enterprise"] = None
        return data


class GrantForm(KeyedForm):
    shop = forms.ModelChoiceField(queryset=LatticeShop.objects.none(), label=_("Shop"))
    amount = YuanField(label=_("Amount (yuan)"))
    purpose = forms.CharField(label=_("What it is for"), max_length=200)

    def __init__(self, *args: Any, fund: LatticeFund, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        shop = self.fields["shop"]
        assert isinstance(shop, forms.ModelChoiceField)
        shop.queryset = LatticeShop.objects.filter(fund=fund).order_by("name")


class SpendingForm(KeyedForm):
    what = forms.CharField(label=_("What it paid for"), max_length=200)
    amount = YuanField(label=_("Amount (yuan)"))
