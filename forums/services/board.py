"""The help board: residents ask their neighbours for help, volunteers offer it, staff moderate."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forums.exceptions import AlreadyOffered, ForumError, IllegalTransition, NotAllowed, NotLocal
from forums.models import HelpOffer, HelpRequest
from forums.services.common import staff_of, validated
from volunteers.models import Volunteer
from yicang.community.models import Resident, User


@transaction.atomic
def ask_for_help(*, resident: Resident, title: str, text: str) -> HelpRequest:
    """A resident asks their neighbours for help; the request is public at once, without their name.

    Raises ForumError for empty, oversized or marked-up text, or contact data in it.
    """
    help_request = HelpRequest(
        community_id=resident.community_id, resident=resident, title=title.strip(), text=text.strip()
    )
    validated(help_request)
    help_request.save()
    return help_request


@transaction.atomic
def offer_help(*, help_request: HelpRequest, volunteer: Volunteer, message: str) -> HelpOffer:
    """An active volunteer of the community offers help; the asker and the centre see it, nobody else.

    Raises NotLocal, NotAllowed, IllegalTransition, AlreadyOffered or ForumError.
    """
    help_request = HelpRequest.objects.select_for_update().get(pk=help_request.pk)
    if volunteer.community_id != help_request.community_id:
        raise NotLocal(_("Volunteers help the residents of their own community."))
    if volunteer.status != Volunteer.Status.ACTIVE:
        raise NotAllowed(_("Only an active volunteer can offer help."))
    if volunteer.resident_id == help_request.resident_id:
        raise NotAllowed(_("This is your own request."))
    if help_request.state != HelpRequest.State.OPEN:
        raise IllegalTransition(_("This request is no longer open."))
    if HelpOffer.objects.filter(help_request=help_request, volunteer=volunteer).exists():
        raise AlreadyOffered(_("You have already offered to help with this."))
    offer = HelpOffer(
        community_id=help_request.community_id, help_request=help_request, volunteer=volunteer, message=message.strip()
    )
    validated(offer)
    offer.save()
    return offer


def _moderate(help_request: HelpRequest, state: str, note: str, by: User) -> HelpRequest:
    help_request.state = state
    help_request.moderation_note = note
    help_request.moderated_by = by
    help_request.moderated_at = timezone.now()
    validated(help_request)
    help_request.save(update_fields=["state", "moderation_note", "moderated_by", "moderated_at"])
    return help_request


@transaction.atomic
def hide_help_request(*, help_request: HelpRequest, reason: str, by: User) -> HelpRequest:
    """Staff take a request off the board, saying why (the asker sees the reason)."""
    help_request = HelpRequest.objects.select_for_update().get(pk=help_request.pk)
    if help_request.state == HelpRequest.State.HIDDEN:
        raise IllegalTransition(_("This request is already hidden."))
    if not reason.strip():
        raise ForumError(_("Say why the request is hidden."))
    return _moderate(help_request, HelpRequest.State.HIDDEN, reason.strip(), by)


@transaction.atomic
def restore_help_request(*, help_request: HelpRequest, by: User) -> HelpRequest:
    """Staff put a hidden request back on the board."""
    help_request = HelpRequest.objects.select_for_update().get(pk=help_request.pk)
    if help_request.state != HelpRequest.State.HIDDEN:
        raise IllegalTransition(_("Only a hidden request is put back."))
    return _moderate(help_request, HelpRequest.State.OPEN, "", by)


@transaction.atomic
def mark_helped(*, help_request: HelpRequest, by: User) -> HelpRequest:
    """The asker (or staff) says the help came: the request leaves the board's open list."""
    help_request = HelpRequest.objects.select_for_update().select_related("resident").get(pk=help_request.pk)
    if help_request.resident.user_id != by.pk and not staff_of(
        by, help_request.community_id, "forums.change_helprequest"
    ):
        raise NotAllowed(_("Only the asker or the centre can mark a request helped."))
    if help_request.state != HelpRequest.State.OPEN:
        raise IllegalTransition(_("This request is no longer open."))
    help_request.state = HelpRequest.State.DONE
    help_request.save(update_fields=["state"])
    return help_request


@transaction.atomic
def hide_help_offer(*, offer: HelpOffer, by: User) -> HelpOffer:
    """Staff hide an offer of help from the asker (unsuitable, or the volunteer withdrew)."""
    offer = HelpOffer.objects.select_for_update().get(pk=offer.pk)
    if offer.state == HelpOffer.State.HIDDEN:
        raise IllegalTransition(_("This offer is already hidden."))
    offer.state = HelpOffer.State.HIDDEN
    offer.save(update_fields=["state"])
    return offer
