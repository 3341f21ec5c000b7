from django import forms
from django.utils.translation import gettext_lazy as _

from volunteers.market.models import PHOTO_EXTENSIONS


class VerificationForm(forms.Form):
    id_number = forms.CharField(
        label=_("Resident ID number"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text", "spellcheck": "false"}),
        help_text=_("18 characters, as on your ID card. The centre keeps it sealed."),
    )
    # An ImageField: Pillow opens the upload, so only a real picture is kept, even for a moment.
    photo = forms.ImageField(
        label=_("Photo of your ID card (if your centre asks for one)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(f".{ext}" for ext in PHOTO_EXTENSIONS)}),
        help_text=_("Deleted as soon as the centre has checked it."),
    )

    def clean_photo(self) -> object:
        photo = self.cleaned_data.get("photo")
        if photo is not None and photo.size > MAX_PHOTO_BYTES:
            raise forms.ValidationError(_("The photo is larger than 5 MB; take it again at a lower resolution."))
        return photo


MAX_PHOTO_BYTES = 5 * 1024 * 1024
