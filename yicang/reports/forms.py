from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yicang.core.months import parse_month
from yicang.reports.models import ReportRequest


class MonthField(forms.CharField):
    widget = forms.TextInput(attrs={"type": "month"})

    def to_python(self, value: Any) -> date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        month = parse_month(text)
        if month is None:
            raise forms.ValidationError(_("Write a month as YYYY-MM."))
        return month


class ReportForm(forms.Form):
    """Which place, which months, which files. Staff choose among their communities; national staff
    type a community's code or choose a city."""

    community = forms.ChoiceField(label=_("Community"), required=False)
    city = forms.ChoiceField(label=_("or a city"), required=False)
    first_month = MonthField(label=_("From"))
    last_month = MonthField(label=pgettext_lazy("end of a period", "To"))
    formats = forms.MultipleChoiceField(
        label=_("Files"),
        choices=[("pdf", _("PDF")), ("xlsx", _("Excel (XLSX)")), ("csv", _("CSV"))],
        initial=ReportRequest.FORMATS,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: Any, communities: list[tuple[str, str]] | None, cities: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        """`communities` None (national staff, 2,600 of them) asks for a community's code instead of a list."""
        super().__init__(*args, **kwargs)
        community, city = self.fields["community"], self.fields["city"]
        assert isinstance(community, forms.ChoiceField)
        assert isinstance(city, forms.ChoiceField)
        if communities is None:
            self.fields["community"] = forms.CharField(
                label=_("Community code"), required=False, max_length=60, help_text=_("As in the community's address.")
            )
        else:
            community.choices = [("", "—"), *communities]
        if cities:
            city.choices = [("", "—"), *cities]
        else:
            del self.fields["city"]
