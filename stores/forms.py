from decimal import Decimal
from typing import Any, TypeVar, cast
from uuid import uuid4

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.forms.models import ModelChoiceIteratorValue
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from donors.models import AssistantEnterprise, CompassionFamily
from stores.models import Category, Warehouse
from stores.services.items import MAX_ITEMS_A_LINE, IntakeLine
from yicang.community.models import Community

MAX_LINES = 60  # one donor's gift on one screen; a truck of mixed goods is several donations
EMPTY_LINES = 5  # shown without JavaScript; static/stores/intake.js adds more

M = TypeVar("M", bound=Model)


class CategorySelect(forms.Select):
    """Marks perishable categories, so that intake.js can ask for the expiry date before the server does."""

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        instance = getattr(value, "instance", None)
        if isinstance(instance, Category) and instance.perishable:
            option["attrs"]["data-perishable"] = "1"
        return option


class ListedChoiceField(forms.ModelChoiceField[M]):
    """A model choice among rows read once (`offer()`), not once for each form and again for each check.

    A formset of many lines would otherwise read the categories for every line it renders and validates.
    """

    def offer(self, rows: list[M]) -> None:
        self.rows = {str(row.pk): row for row in rows}
        empty = [] if self.empty_label is None else [("", self.empty_label)]
        self.choices = empty + [(ModelChoiceIteratorValue(row.pk, row), self.label_from_instance(row)) for row in rows]

    def to_python(self, value: Any) -> M | None:
        if value in self.empty_values:
            return None
        try:
            return self.rows[str(value)]
        except KeyError:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None


class CategoryChoiceField(ListedChoiceField[Category]):
    def label_from_instance(self, obj: Category) -> str:
        return f"{obj.name} ({obj.unit})"


class DonationForm(forms.Form):
    """Where and from whom: the warehouse and the donor, both of the page's community."""

    warehouse = ListedChoiceField(queryset=Warehouse.objects.none(), label=_("Received at"), empty_label=None)
    donor = forms.ChoiceField(label=_("Donor"), required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    # Drawn when the empty form is shown and sent back with it: a second submission records nothing new.
    intake_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, community: Community, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("intake_key", uuid4())
        super().__init__(*args, **kwargs)
        # The community's store first, then its Yicang Stops: most gifts arrive at the store.
        warehouses = sorted(Warehouse.objects.filter(community=community), key=lambda w: (w.kind != "store", w.name))
        self.fields["warehouse"].offer(warehouses)  # type: ignore[attr-defined]
        self.families = {
            str(family.pk): family
            for family in CompassionFamily.objects.filter(community=community)
            .select_related("household")
            .order_by("household__name")
        }
        self.enterprises = {
            str(enterprise.pk): enterprise
            for enterprise in AssistantEnterprise.objects.filter(community=community).order_by("name")
        }
        self.fields["donor"].choices = [  # type: ignore[attr-defined]
            ("", _("Anonymous")),
            (_("Compassion families"), [(f"f{pk}", str(family)) for pk, family in self.families.items()]),
            (_("Assistant enterprises"), [(f"e{pk}", str(e)) for pk, e in self.enterprises.items()]),
        ]

    def donor_kwargs(self) -> dict[str, CompassionFamily | AssistantEnterprise | None]:
        """The family or the enterprise chosen, as receive_donation takes them; call after is_valid()."""
        value: str = self.cleaned_data["donor"]
        return {
            "family": self.families.get(value[1:]) if value.startswith("f") else None,
            "enterprise": self.enterprises.get(value[1:]) if value.startswith("e") else None,
        }


class LineForm(forms.Form):
    """One line of a donation: `count` items of one category, each of `quantity` units."""

    category = CategoryChoiceField(
        queryset=Category.objects.none(), label=pgettext_lazy("kind of item", "Category"), widget=CategorySelect
    )
    count = forms.IntegerField(
        label=_("Number of items"), min_value=1, max_value=MAX_ITEMS_A_LINE, initial=1,
        help_text=_("Each gets its own code and label."),
    )  # fmt: skip
    quantity = forms.DecimalField(
        label=_("Quantity each"), max_digits=10, decimal_places=2, min_value=Decimal("0.01"),
        help_text=_("In the category's unit, e.g. 10 for a 10 kg bag."),
    )  # fmt: skip
    description = forms.CharField(label=_("Description"), max_length=120, required=False)
    expires_on = forms.DateField(
        label=_("Expiry date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, categories: list[Category], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].offer(categories)  # type: ignore[attr-defined]

    def has_changed(self) -> bool:
        # A line with nothing but its prefilled number of items is an empty line, left out.
        return any(name != "count" for name in self.changed_data)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        category, expires_on = cleaned.get("category"), cleaned.get("expires_on")
        if category is not None and category.perishable and expires_on is None and "expires_on" not in self.errors:
            self.add_error("expires_on", _("%(category)s needs an expiry date.") % {"category": category.name})
        if expires_on is not None and expires_on < timezone.localdate():
            self.add_error("expires_on", _("The expiry date has passed; do not take it in."))
        return cleaned

    def line(self) -> IntakeLine:
        data = self.cleaned_data
        return IntakeLine(
            category=data["category"],
            count=data["count"],
            quantity=data["quantity"],
            description=data["description"],
            expires_on=data["expires_on"],
        )


class BaseLineFormSet(forms.BaseFormSet[LineForm]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.categories = list(Category.objects.all())

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "categories": self.categories}

    def lines(self) -> list[IntakeLine]:
        """The lines typed, skipping rows left empty; call after is_valid()."""
        return [form.line() for form in self.forms if form.has_changed() and form.cleaned_data]


LineFormSet = cast(
    type[BaseLineFormSet],
    forms.formset_factory(
        LineForm,
        formset=BaseLineFormSet,
        extra=EMPTY_LINES,
        max_num=MAX_LINES,
        validate_max=True,
        absolute_max=MAX_LINES,
    ),
)
