from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_POST

from stores.exceptions import IntakeError
from stores.forms import DonationForm, LineFormSet
from stores.labels import request_label_sheet
from stores.models import Donation, LabelSheet
from stores.receipts import donation_items, receipt_lines
from stores.selectors.public import public_donor
from stores.services.items import receive_donation
from yicang.community.access import require_permission
from yicang.community.models import Community
from yicang.community.scoping import get_scoped_or_404

# The warehouse last received at, per community, so that the next donation starts there.
LAST_WAREHOUSE = "stores:intake-warehouse:{}"


@staff_member_required
def intake_page(request: HttpRequest, code: str) -> HttpResponse:
    """One donor's gift on one screen: many lines, a number of items each; then the receipt."""
    community = get_scoped_or_404(Community.objects.all(), request.user, code=code)
    user = require_permission(request.user, "stores.add_donation")
    session_key = LAST_WAREHOUSE.format(community.pk)
    data = request.POST if request.method == "POST" else None
    form = DonationForm(data, community=community, initial={"warehouse": request.session.get(session_key)})
    lines = LineFormSet(data, prefix="lines")
    if data is not None and form.is_valid() and lines.is_valid():
        typed = lines.lines()
        try:
            donation = receive_donation(
                warehouse=form.cleaned_data["warehouse"],
                lines=typed,
                by=user,
                note=form.cleaned_data["note"],
                key=form.cleaned_data["intake_key"],
                **form.donor_kwargs(),  # type: ignore[arg-type]
            )
        except IntakeError as error:
            form.add_error(None, str(error.message))
        else:
            request.session[session_key] = donation.warehouse_id
            messages.success(
                request,
                _("Donation received: %(count)s items, each with its own code.")
                % {"count": sum(line.count for line in typed)},
            )
            return redirect("stores:receipt", pk=donation.pk)
    return render(request, "stores/intake/intake.html", {"community": community, "form": form, "lines": lines})


# A receipt of hundreds of QR codes is megabytes of SVG paths that compress fourfold; its CSRF token (of the
# labels form) is masked afresh for every response, which is what keeps compression from leaking it (BREACH).
@gzip_page
@staff_member_required
def receipt_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The donor's printable receipt: each line, and each item's code and QR of its public trace."""
    donation = get_scoped_or_404(
        Donation.objects.select_related("community", "warehouse", "family__household", "enterprise", "received_by"),
        request.user,
        pk=pk,
    )
    require_permission(request.user, "stores.view_donation")
    lines = receipt_lines(donation_items(donation), base_url=settings.YICANG_PUBLIC_URL)
    return render(
        request,
        "stores/intake/receipt.html",
        {
            "donation": donation,
            "community": donation.community,
            "public_donor": public_donor(donation),
            "lines": lines,
            "item_count": sum(line.count for line in lines),
            "layouts": LabelSheet.Layout.choices,
            "may_print_labels": request.user.has_perm("stores.add_labelsheet"),
            "public_url": settings.YICANG_PUBLIC_URL,
        },
    )


@staff_member_required
@require_POST
def print_labels(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the worker for the labels of a donation's items, then show the sheet's page with its progress."""
    donation = get_scoped_or_404(Donation.objects.all(), request.user, pk=pk)
    user = require_permission(request.user, "stores.add_labelsheet")
    layout = request.POST.get("layout", "")
    if layout not in LabelSheet.Layout.values:
        messages.error(request, _("Choose a label layout."))
        return redirect("stores:receipt", pk=donation.pk)
    sheet = request_label_sheet(items=list(donation.items.order_by("pk")), layout=layout, by=user)
    return HttpResponseRedirect(reverse("admin:stores_labelsheet_change", args=[sheet.pk]))
