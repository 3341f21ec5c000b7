"""Export and erasure in the admin, added to the resident and household pages of the community app.

This app sits above every app that holds personal data, so it re-registers those two admins with
its tools rather than have the community app reach up to it.
"""

import json
from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _

from yicang.community.access import current_user
from yicang.community.admin import HouseholdAdmin, ResidentAdmin
from yicang.community.models import Household, Resident
from yicang.core.exceptions import DomainError
from yicang.privacy.services import erase_household, erase_resident, export_resident

Tool = tuple[str, Any, Callable[[Any, HttpRequest, Any, str], HttpResponse]]


def _export(model_admin: Any, request: HttpRequest, resident: Resident, reason: str) -> HttpResponse:
    data = export_resident(resident=resident, by=current_user(request), reason=reason)
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="resident-{resident.pk}.json"'
    return response


def _erase(model_admin: Any, request: HttpRequest, obj: Any, reason: str) -> HttpResponse:
    if isinstance(obj, Resident):
        erase_resident(resident=obj, by=current_user(request), reason=reason)
    else:
        erase_household(household=obj, by=current_user(request), reason=reason)
    model_admin.message_user(request, _("The personal data was erased; the records that refer to it remain."))
    return HttpResponseRedirect(reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk]))


class PrivacyToolsMixin(admin.ModelAdmin[Any]):
    """Adds `<id>/privacy/<tool>/`: a page that asks why, then exports or erases."""

    privacy_tools: dict[str, Tool] = {}
    change_form_template = "admin/privacy/change_form.html"

    def get_urls(self) -> list[URLPattern]:
        opts = self.opts
        view = self.admin_site.admin_view(self.privacy_view)
        name = f"{opts.app_label}_{opts.model_name}_privacy"
        return [path("<path:object_id>/privacy/<str:tool>/", view, name=name), *super().get_urls()]

    def render_change_form(self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        context["privacy_tools"] = [
            (name, label)
            for name, (permission, label, _) in self.privacy_tools.items()
            if request.user.has_perm(permission)
        ]
        return super().render_change_form(request, context, *args, **kwargs)

    def privacy_view(self, request: HttpRequest, object_id: str, tool: str) -> HttpResponse:
        obj = self.get_object(request, object_id)  # scoped: 404 for another community
        if tool not in self.privacy_tools:
            raise PermissionDenied
        permission, label, handler = self.privacy_tools[tool]
        if not request.user.has_perm(permission):
            raise PermissionDenied
        error = None
        if request.method == "POST":
            try:
                return handler(self, request, obj, request.POST.get("reason", ""))
            except DomainError as failure:
                error = failure.message
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": obj,
            "title": f"{label}: {obj}",
            "tool": tool,
            "error": error,
        }
        return TemplateResponse(request, "admin/privacy/confirm.html", context)


class PrivateResidentAdmin(PrivacyToolsMixin, ResidentAdmin):
    privacy_tools = {
        "export": ("community.export_resident", _("Export personal data (JSON)"), _export),
        "erase": ("community.anonymise_resident", _("Erase personal data"), _erase),
    }


class PrivateHouseholdAdmin(PrivacyToolsMixin, HouseholdAdmin):
    privacy_tools = {"erase": ("community.anonymise_resident", _("Erase the household's personal data"), _erase)}


admin.site.unregister(Resident)
admin.site.register(Resident, PrivateResidentAdmin)
admin.site.unregister(Household)
admin.site.register(Household, PrivateHouseholdAdmin)
