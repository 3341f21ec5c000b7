"""Forms of the forums' pages. Field rules come from the models (lengths, plain text, no contact data),
so a page shows each error at its field; the services check again and have the last word."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forums.models import Action, Forum, HelpOffer, HelpRequest, Issue
from forums.services.issues import MAX_PHOTO_BYTES
from yicang.core.photos import FORMATS

PHOTO_ACCEPT = ",".join(f".{ext.lower()}" for ext in sorted(FORMATS - {"MPO"})) + ",.jpg"


class IssueForm(forms.ModelForm[Issue]):
    photo = forms.ImageField(
        label=_("Photo (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": PHOTO_ACCEPT}),
        help_text=_("JPEG, PNG or WebP, up to 5 MB. Its location data is removed."),
    )

    class Meta:
        model = Issue
        fields = ["kind", "title", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 5, "maxlength": 1000})}

    def clean_photo(self) -> Any:
        photo = self.cleaned_data.get("photo")
        if photo is not None and photo.size > MAX_PHOTO_BYTES:
            raise forms.ValidationError(_("The photo is larger than 5 MB; take it again at a lower resolution."))
        return photo


class HelpRequestForm(forms.ModelForm[HelpRequest]):
    class Meta:
        model = HelpRequest
        fields = ["title", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 5, "maxlength": 1000})}


class HelpOfferForm(forms.ModelForm[HelpOffer]):
    class Meta:
        model = HelpOffer
        fields = ["message"]


# --- Staff ----------------------------------------------------------------------------------------


class DateTimeLocal(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


class PlanForumForm(forms.ModelForm[Forum]):
    class Meta:
        model = Forum
        fields = ["title", "held_at", "place", "agenda"]
        widgets = {"held_at": DateTimeLocal(), "agenda": forms.Textarea(attrs={"rows": 4})}

    def clean_held_at(self) -> Any:
        held_at = self.cleaned_data["held_at"]
        if held_at is not None and held_at <= timezone.now():
            raise forms.ValidationError(_("A forum is planned for a time still to come."))
        return held_at


class HoldForumForm(forms.ModelForm[Forum]):
    class Meta:
        model = Forum
        fields = ["attendance", "minutes"]
        widgets = {"minutes": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attendance"].required = True
        self.fields["attendance"].min_value = 0  # type: ignore[attr-defined]


class RecordIssueForm(IssueForm):
    pass


class MarkCommonForm(forms.Form):
    plan = forms.CharField(label=_("What the forum agreed"), required=False, max_length=2000, widget=forms.Textarea)


class ProgressForm(forms.Form):
    step = forms.ChoiceField(label=_("Step"), choices=Action.Step.choices)
    on = forms.DateField(label=_("On"), widget=forms.DateInput(attrs={"type": "date"}))
    text = forms.CharField(label=_("Progress"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class GrantForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount (yuan)"), min_value=Decimal("0.01"), max_digits=9, decimal_places=2)
    purpose = forms.CharField(label=_("Purpose"), max_length=200)

    @property
    def amount_fen(self) -> int:
        return int(self.cleaned_data["amount"] * 100)


class EndForm(forms.Form):
    text = forms.CharField(label=_("Result"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)
