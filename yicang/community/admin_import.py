"""The household admin's "Import" page: upload a spreadsheet of households and residents."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yicang.community.imports import (
    COLUMN_LABELS,
    COLUMNS,
    HEADERS,
    REQUIRED_COLUMNS,
    SUFFIXES,
    ImportResult,
    RowError,
    import_households,
    read_rows,
)
from yicang.community.models import Community, User
from yicang.community.scoping import scope
from yicang.core.exceptions import DomainError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024

# A file with a wrong column can have an error on every one of thousands of rows; the first few
# hundred are enough to see what to correct.
MAX_ERRORS_SHOWN = 500

IMPORT_PERMISSIONS = ("community.add_household", "community.add_resident")


class HouseholdImportForm(forms.Form):
    community = forms.ModelChoiceField(label=gettext_lazy("community"), queryset=Community.objects.none())
    file = forms.FileField(
        label=gettext_lazy("file"),
        help_text=gettext_lazy("A .csv or .xlsx file of at most 10 MB; its first row names the columns."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(SUFFIXES)}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        communities = scope(Community.objects.all(), user)
        field = self.fields["community"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = communities
        only = list(communities[:2])
        if len(only) == 1:
            # Centre staff usually work in one community: nothing to choose.
            field.initial = only[0].pk

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if not (upload.name or "").lower().endswith(SUFFIXES):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."), code="file_type")
        if (upload.size or 0) > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB; split it into smaller files."), code="size")
        return upload


class HouseholdImportMixin(admin.ModelAdmin[Any]):
    """Adds `import/` to the household admin: all rows are imported into one community, or none."""

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="community_household_import"), *super().get_urls()]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perms(IMPORT_PERMISSIONS):
            raise PermissionDenied
        # admin.current_user would be a circular import (admin.py imports this module).
        user = request.user
        assert isinstance(user, User)
        if request.method == "POST":
            form = HouseholdImportForm(request.POST, request.FILES, user=user)
        else:
            form = HouseholdImportForm(user=user)
        errors: tuple[RowError, ...] = ()
        if form.is_valid():
            try:
                rows = read_rows(form.cleaned_data["file"])
                result = import_households(community=form.cleaned_data["community"], rows=rows, by=user)
            except DomainError as error:  # a file it cannot read, or an ID number registered meanwhile
                form.add_error("file", str(error.message))
            else:
                if result.imported:
                    _report_success(request, result)
                    return HttpResponseRedirect(reverse("admin:community_household_changelist"))
                errors = result.errors
                messages.error(
                    request,
                    _("Nothing was imported: the file has %(count)s problems. Correct them and upload it again.")
                    % {"count": len(errors)},
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import households and residents"),
            "form": form,
            "errors": errors[:MAX_ERRORS_SHOWN],
            "errors_not_shown": max(0, len(errors) - MAX_ERRORS_SHOWN),
            "columns": [
                {
                    "headers": " / ".join(HEADERS[column]),
                    "label": COLUMN_LABELS[column],
                    "required": column in REQUIRED_COLUMNS,
                }
                for column in COLUMNS
            ],
        }
        return TemplateResponse(request, "admin/community/household/import.html", context)


def _report_success(request: HttpRequest, result: ImportResult) -> None:
    messages.success(
        request,
        _("%(households)s households and %(residents)s residents imported.")
        % {"households": result.households_created, "residents": result.residents_created},
    )
    if result.households_reused:
        messages.info(
            request,
            _("%(count)s households were already in the community; their residents were added to them.")
            % {"count": result.households_reused},
        )
