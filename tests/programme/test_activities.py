from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests.clients import signed_in
from tests.factories import HouseholdFactory, ResidentFactory
from tests.factories.programme import ActivityFactory
from tests.factories.volunteers import GroupFactory, VolunteerFactory
from tests.programme.conftest import Place
from volunteers.programme.exceptions import (
    AlreadyRecorded,
    AudienceMissing,
    NotAllowed,
    OtherCommunity,
    ProgrammeError,
    TenDoorsKnocked,
    WrongActivityKind,
)
from volunteers.programme.models import Activity, NeighbourVisit, Performer, RiceChild, TheatreAudience
from volunteers.programme.services import (
    add_performer,
    add_rice_child,
    record_neighbour_visit,
    set_theatre_audience,
)

pytestmark = pytest.mark.django_db


# --- One-Audience Theatre -------------------------------------------------------------------------


def test_a_theatre_records_its_one_audience_member_without_a_name(here: Place) -> None:
    theatre = ActivityFactory(community=here.community, theatre=True)

    first = set_theatre_audience(activity=theatre, by=here.staff, audience_note=" 独居老人 ")
    replaced = set_theatre_audience(activity=theatre, by=here.staff, audience_note="行动不便的老人")

    assert replaced.pk == first.pk
    assert list(TheatreAudience.objects.values_list("activity", "resident", "audience_note")) == [
        (theatre.pk, None, "行动不便的老人")
    ]
    assert str(replaced) == "行动不便的老人"


def test_nothing_about_the_audience_or_the_children_can_hold_a_name_or_a_birth_date() -> None:
    # A privacy regression test: a new column here is a decision to take, not a convenience.
    assert [f.name for f in TheatreAudience._meta.concrete_fields] == ["id", "activity", "resident", "audience_note"]
    assert [f.name for f in RiceChild._meta.concrete_fields] == ["id", "activity", "nickname", "guardian_name"]


def test_a_theatre_for_no_one_is_refused(here: Place) -> None:
    theatre = ActivityFactory(community=here.community, theatre=True)

    with pytest.raises(AudienceMissing, match=r"plays for one person: describe them \(without a name\)"):
        set_theatre_audience(activity=theatre, by=here.manager, audience_note="  ")

    assert not TheatreAudience.objects.exists()


def test_a_theatre_has_at_most_one_audience_member_in_the_database(here: Place) -> None:
    theatre = ActivityFactory(community=here.community, theatre=True)
    set_theatre_audience(activity=theatre, by=here.staff, audience_note="独居老人")

    with pytest.raises(IntegrityError), transaction.atomic():
        TheatreAudience.objects.create(activity=theatre, audience_note="另一位老人")

    assert TheatreAudience.objects.count() == 1


def test_only_a_theatre_has_an_audience(here: Place) -> None:
    concert = ActivityFactory(community=here.community)

    with pytest.raises(WrongActivityKind):
        set_theatre_audience(activity=concert, by=here.manager, audience_note="独居老人")
    with pytest.raises(ValidationError, match="Only a One-Audience Theatre has an audience member recorded"):
        TheatreAudience(activity=concert, audience_note="独居老人").full_clean()

    assert not TheatreAudience.objects.exists()


def test_only_staff_allowed_to_see_the_audience_link_the_resident(here: Place, there: Place) -> None:
    theatre = ActivityFactory(community=here.community, theatre=True)
    grandmother = ResidentFactory(household__community=here.community, name="张奶奶")
    stranger = ResidentFactory(household__community=there.community, name="交子李奶奶")

    with pytest.raises(NotAllowed) as refused:
        set_theatre_audience(activity=theatre, by=here.staff, resident=grandmother)
    with pytest.raises(OtherCommunity):
        set_theatre_audience(activity=theatre, by=here.manager, resident=stranger)
    assert refused.value.status == 403
    assert not TheatreAudience.objects.exists()

    set_theatre_audience(activity=theatre, by=here.manager, resident=grandmother)
    # Staff describe the audience member; the link they cannot see stays as it was.
    set_theatre_audience(activity=theatre, by=here.staff, audience_note="独居老人")

    assert list(TheatreAudience.objects.values_list("resident", "audience_note")) == [(grandmother.pk, "独居老人")]


def _theatre_form(
    theatre: Activity, audience: TheatreAudience | None = None, **audience_fields: object
) -> dict[str, object]:
    form: dict[str, object] = {
        "community": theatre.community_id,
        "title": theatre.title,
        "held_on": str(theatre.held_on),
        "place": theatre.place,
        "notes": "",
        "performers-TOTAL_FORMS": "0",
        "performers-INITIAL_FORMS": "0",
        "audience-TOTAL_FORMS": "1",
        "audience-INITIAL_FORMS": "1" if audience is not None else "0",
    }
    if audience is not None:
        form |= {"audience-0-id": audience.pk, "audience-0-activity": theatre.pk}
    form |= {f"audience-0-{name}": value for name, value in audience_fields.items()}
    return form


def test_the_audience_resident_never_reaches_staff_without_the_permission(here: Place) -> None:
    theatre = ActivityFactory(community=here.community, theatre=True, title="《茶馆》片段")
    grandmother = ResidentFactory(household__community=here.community, name="独居的张奶奶")
    manager, staff = signed_in(here.manager), signed_in(here.staff)
    change = reverse("admin:volunteer_programme_activity_change", args=[theatre.pk])
    # The manager links her through the admin, so that the history has an entry about the audience too.
    linked = manager.post(change, _theatre_form(theatre, resident=grandmother.pk, audience_note="独居老人"))
    assert linked.status_code == 302

    pages = {
        "change": staff.get(change),
        "history": staff.get(reverse("admin:volunteer_programme_activity_history", args=[theatre.pk])),
        "changelist": staff.get(reverse("admin:volunteer_programme_activity_changelist")),
    }

    for page in pages.values():
        assert page.status_code == 200
        assert "独居的张奶奶" not in page.content.decode()
    assert "独居老人" in pages["change"].content.decode()
    audience_formset = pages["change"].context["inline_admin_formsets"][1].formset
    assert "resident" not in audience_formset.forms[0].fields
    assert "独居的张奶奶" in manager.get(change).content.decode()


def test_staff_cannot_set_the_audience_resident_with_a_crafted_form(here: Place) -> None:
    theatre = ActivityFactory(community=here.community, theatre=True)
    grandmother = ResidentFactory(household__community=here.community)
    someone_else = ResidentFactory(household__community=here.community)
    audience = set_theatre_audience(activity=theatre, by=here.manager, resident=grandmother, audience_note="独居老人")

    response = signed_in(here.staff).post(
        reverse("admin:volunteer_programme_activity_change", args=[theatre.pk]),
        _theatre_form(theatre, audience, resident=someone_else.pk, audience_note="独居老人，听力不好"),
    )

    assert response.status_code == 302
    assert list(TheatreAudience.objects.values_list("resident", "audience_note")) == [
        (grandmother.pk, "独居老人，听力不好")
    ]


def _new_theatre_form(community_id: int, audiences: list[str]) -> dict[str, object]:
    form: dict[str, object] = {
        "community": community_id,
        "kind": "one_audience_theatre",
        "title": "一人剧场：给王奶奶唱川剧",
        "held_on": "2026-10-20",
        "place": "",
        "notes": "",
        "meal_note": "",
        "performers-TOTAL_FORMS": "0",
        "performers-INITIAL_FORMS": "0",
        "rice_children-TOTAL_FORMS": "0",
        "rice_children-INITIAL_FORMS": "0",
        "audience-TOTAL_FORMS": str(max(len(audiences), 1)),
        "audience-INITIAL_FORMS": "0",
    }
    form |= {f"audience-{n}-audience_note": note for n, note in enumerate(audiences)}
    return form


@pytest.mark.parametrize("audiences", [[], ["独居老人", "她的邻居"]], ids=["nobody", "two"])
def test_the_admin_refuses_a_theatre_for_nobody_or_for_two(here: Place, audiences: list[str]) -> None:
    response = signed_in(here.staff).post(
        reverse("admin:volunteer_programme_activity_add"),
        _new_theatre_form(here.community.pk, audiences),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    audience_formset = response.context["inline_admin_formsets"][1].formset
    assert audience_formset.non_form_errors() == [
        "A One-Audience Theatre plays for exactly one person: record one audience member, no more."
    ]
    assert not Activity.objects.exists()
    assert not TheatreAudience.objects.exists()


def test_the_admin_records_a_theatre_with_its_one_audience_member(here: Place) -> None:
    response = signed_in(here.staff).post(
        reverse("admin:volunteer_programme_activity_add"), _new_theatre_form(here.community.pk, ["独居老人"])
    )

    assert response.status_code == 302
    assert list(TheatreAudience.objects.values_list("activity__title", "resident", "audience_note")) == [
        ("一人剧场：给王奶奶唱川剧", None, "独居老人")
    ]


def test_performers_are_volunteers_of_the_activitys_community(here: Place, there: Place) -> None:
    theatre = ActivityFactory(community=here.community, theatre=True)
    actor = VolunteerFactory(community=here.community)
    stranger = VolunteerFactory(community=there.community)

    first = add_performer(activity=theatre, volunteer=actor)
    again = add_performer(activity=theatre, volunteer=actor)
    with pytest.raises(OtherCommunity):
        add_performer(activity=theatre, volunteer=stranger)

    assert again == first
    assert list(Performer.objects.values_list("activity", "volunteer")) == [(theatre.pk, actor.pk)]


def test_an_activity_is_organised_by_a_group_of_its_community(here: Place, there: Place) -> None:
    activity = ActivityFactory.build(community=here.community, organiser=GroupFactory(community=there.community))

    with pytest.raises(ValidationError) as error:
        activity.full_clean()

    assert list(error.value.message_dict) == ["organiser"]


def test_only_a_spoon_of_rice_ends_in_a_meal_after_the_collecting(here: Place) -> None:
    for fields in (
        {"kind": "culture", "meal_on": date(2026, 10, 20)},
        {"kind": "spoon_of_rice", "held_on": date(2026, 10, 20), "meal_on": date(2026, 10, 19)},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            ActivityFactory(community=here.community, **fields)
    rice = ActivityFactory(community=here.community, rice=True, meal_on=date(2026, 10, 18), meal_note="百家饭")

    assert list(Activity.objects.all()) == [rice]


# --- A Spoon of Rice ------------------------------------------------------------------------------


def test_children_take_part_by_nickname_with_their_guardian(here: Place) -> None:
    rice = ActivityFactory(community=here.community, rice=True)
    theatre = ActivityFactory(community=here.community, theatre=True)

    child = add_rice_child(activity=rice, nickname=" 小宝 ", guardian_name=" 王妈妈 ")
    with pytest.raises(AlreadyRecorded, match="A child called 小宝 already takes part"):
        add_rice_child(activity=rice, nickname="小宝", guardian_name="李爸爸")
    with pytest.raises(WrongActivityKind):
        add_rice_child(activity=theatre, nickname="豆豆", guardian_name="李爸爸")
    with pytest.raises(ProgrammeError, match="guardian's name"):
        add_rice_child(activity=rice, nickname="豆豆", guardian_name=" ")

    assert list(RiceChild.objects.values_list("pk", "activity", "nickname", "guardian_name")) == [
        (child.pk, rice.pk, "小宝", "王妈妈")
    ]


def test_the_eleventh_neighbour_is_refused(here: Place) -> None:
    child = add_rice_child(
        activity=ActivityFactory(community=here.community, rice=True), nickname="小宝", guardian_name="王妈妈"
    )
    for n in range(1, 11):
        record_neighbour_visit(child=child, door=f"3 单元 {n}01", rice_grams=20)

    with pytest.raises(TenDoorsKnocked, match=r"^小宝 has already contacted 10 neighbours\.$") as error:
        record_neighbour_visit(child=child, door="4 单元 101", rice_grams=20)

    assert error.value.status == 409
    assert list(NeighbourVisit.objects.values_list("knock", flat=True)) == list(range(1, 11))
    assert not NeighbourVisit.objects.filter(door="4 单元 101").exists()


def test_the_database_itself_refuses_an_eleventh_door(here: Place) -> None:
    rice = ActivityFactory(community=here.community, rice=True)
    child = add_rice_child(activity=rice, nickname="小宝", guardian_name="王妈妈")
    record_neighbour_visit(child=child, door="3 单元 101", rice_grams=20)

    for knock in (11, 1):
        with pytest.raises(IntegrityError), transaction.atomic():
            NeighbourVisit.objects.create(activity=rice, child=child, knock=knock, door="5 单元 501", rice_grams=20)

    assert NeighbourVisit.objects.count() == 1


def test_a_door_freed_by_a_correction_can_be_knocked_on_again(here: Place) -> None:
    child = add_rice_child(
        activity=ActivityFactory(community=here.community, rice=True), nickname="小宝", guardian_name="王妈妈"
    )
    visits = [record_neighbour_visit(child=child, door=f"{n} 号", rice_grams=20) for n in range(1, 11)]
    visits[2].delete()

    replacement = record_neighbour_visit(child=child, door="11 号", rice_grams=15)

    assert replacement.knock == 3
    assert NeighbourVisit.objects.count() == 10


def test_a_visit_names_one_door_and_rice_only_from_who_agreed(here: Place, there: Place) -> None:
    child = add_rice_child(
        activity=ActivityFactory(community=here.community, rice=True), nickname="小宝", guardian_name="王妈妈"
    )
    neighbour = HouseholdFactory(community=here.community)
    record_neighbour_visit(child=child, household=neighbour, rice_grams=30)

    refused = [
        {"door": "3 单元 201", "rice_grams": 0},  # agreed, but gave nothing
        {"door": "3 单元 201", "rice_grams": 30, "agreed": False},
        {"door": "3 单元 201", "rice_grams": 30, "household": HouseholdFactory(community=here.community)},
        {"rice_grams": 30},  # no door at all
        {"door": "3 单元 201", "rice_grams": 6000},  # a sack, not a spoon
        {"door": "3 单元 201", "rice_grams": 2.5},
    ]
    for fields in refused:
        with pytest.raises(ProgrammeError):
            record_neighbour_visit(child=child, **fields)  # type: ignore[arg-type]
    with pytest.raises(AlreadyRecorded):
        record_neighbour_visit(child=child, household=neighbour, rice_grams=30)
    with pytest.raises(OtherCommunity):
        record_neighbour_visit(child=child, household=HouseholdFactory(community=there.community), rice_grams=30)
    declined = record_neighbour_visit(child=child, door="3 单元 201", rice_grams=0, agreed=False)

    assert list(NeighbourVisit.objects.values_list("knock", "household", "door", "agreed", "rice_grams")) == [
        (1, neighbour.pk, "", True, 30),
        (2, None, "3 单元 201", False, 0),
    ]
    assert declined.activity == child.activity


def test_visits_are_numbered_in_the_admin_and_stop_at_ten(here: Place) -> None:
    rice = ActivityFactory(community=here.community, rice=True, meal_on=date(2026, 10, 18))
    child = add_rice_child(activity=rice, nickname="小宝", guardian_name="王妈妈")
    url = reverse("admin:volunteer_programme_activity_change", args=[rice.pk])
    client = signed_in(here.staff)

    def form(doors: int) -> dict[str, object]:
        data: dict[str, object] = {
            "community": here.community.pk,
            "title": rice.title,
            "held_on": str(rice.held_on),
            "place": rice.place,
            "notes": "",
            "meal_on": "2026-10-18",
            "meal_note": "",
            "performers-TOTAL_FORMS": "0",
            "performers-INITIAL_FORMS": "0",
            "rice_children-TOTAL_FORMS": "1",
            "rice_children-INITIAL_FORMS": "1",
            "rice_children-0-id": child.pk,
            "rice_children-0-activity": rice.pk,
            "rice_children-0-nickname": "小宝",
            "rice_children-0-guardian_name": "王妈妈",
            "neighbour_visits-TOTAL_FORMS": str(doors),
            "neighbour_visits-INITIAL_FORMS": "0",
        }
        for n in range(doors):
            data |= {
                f"neighbour_visits-{n}-child": child.pk,
                f"neighbour_visits-{n}-door": f"{n + 1} 号",
                f"neighbour_visits-{n}-agreed": "on",
                f"neighbour_visits-{n}-rice_grams": "25",
            }
        return data

    too_many = client.post(url, form(11), HTTP_ACCEPT_LANGUAGE="en")
    assert too_many.status_code == 200
    assert too_many.context["inline_admin_formsets"][2].formset.non_form_errors() == [
        "Each child contacts at most 10 neighbours."
    ]
    assert not NeighbourVisit.objects.exists()

    assert client.post(url, form(2)).status_code == 302
    assert list(NeighbourVisit.objects.values_list("knock", "door", "rice_grams")) == [(1, "1 号", 25), (2, "2 号", 25)]


def test_children_and_audience_keep_their_activity_to_its_kind(here: Place) -> None:
    rice = ActivityFactory(community=here.community, rice=True)
    add_rice_child(activity=rice, nickname="小宝", guardian_name="王妈妈")
    rice.kind = Activity.Kind.CULTURE

    with pytest.raises(ValidationError) as error:
        rice.full_clean()

    assert error.value.message_dict == {"kind": ["Children take part in this activity; it stays A Spoon of Rice."]}


@pytest.mark.parametrize("view", ["change", "history", "delete"])
def test_another_communitys_activity_is_not_found_in_the_admin(here: Place, there: Place, view: str) -> None:
    theirs = ActivityFactory(community=there.community, title="交子社区一人剧场")

    response = signed_in(here.manager).get(reverse(f"admin:volunteer_programme_activity_{view}", args=[theirs.pk]))

    assert response.status_code == 404
    assert "交子社区一人剧场" not in response.content.decode()


def test_the_activity_changelist_lists_only_the_staff_members_own(here: Place, there: Place) -> None:
    ours = ActivityFactory(community=here.community)
    ActivityFactory(community=there.community, title="交子社区艺术节")

    response = signed_in(here.staff).get(reverse("admin:volunteer_programme_activity_changelist"))

    assert list(response.context["cl"].result_list) == [ours]
    assert "交子社区艺术节" not in response.content.decode()


def test_a_visit_moved_to_another_child_in_the_admin_takes_one_of_that_childs_doors(here: Place) -> None:
    rice = ActivityFactory(community=here.community, rice=True)
    xiaobao = add_rice_child(activity=rice, nickname="小宝", guardian_name="王妈妈")
    doudou = add_rice_child(activity=rice, nickname="豆豆", guardian_name="李爸爸")
    record_neighbour_visit(child=doudou, door="1 号", rice_grams=20)
    moved = record_neighbour_visit(child=xiaobao, door="2 号", rice_grams=30)
    children = [(xiaobao, "王妈妈"), (doudou, "李爸爸")]
    form: dict[str, object] = {
        "community": here.community.pk,
        "title": rice.title,
        "held_on": str(rice.held_on),
        "place": rice.place,
        "notes": "",
        "meal_note": "",
        "performers-TOTAL_FORMS": "0",
        "performers-INITIAL_FORMS": "0",
        "rice_children-TOTAL_FORMS": "2",
        "rice_children-INITIAL_FORMS": "2",
        "neighbour_visits-TOTAL_FORMS": "2",
        "neighbour_visits-INITIAL_FORMS": "2",
    }
    for n, (child, guardian) in enumerate(children):
        form |= {
            f"rice_children-{n}-id": child.pk,
            f"rice_children-{n}-activity": rice.pk,
            f"rice_children-{n}-nickname": child.nickname,
            f"rice_children-{n}-guardian_name": guardian,
        }
    for n, visit in enumerate(NeighbourVisit.objects.order_by("pk")):
        form |= {
            f"neighbour_visits-{n}-id": visit.pk,
            f"neighbour_visits-{n}-activity": rice.pk,
            f"neighbour_visits-{n}-child": doudou.pk,
            f"neighbour_visits-{n}-door": visit.door,
            f"neighbour_visits-{n}-agreed": "on",
            f"neighbour_visits-{n}-rice_grams": visit.rice_grams,
        }

    response = signed_in(here.staff).post(reverse("admin:volunteer_programme_activity_change", args=[rice.pk]), form)

    assert response.status_code == 302
    assert list(NeighbourVisit.objects.order_by("knock").values_list("child", "knock", "door")) == [
        (doudou.pk, 1, "1 号"),
        (doudou.pk, 2, "2 号"),
    ]
    assert NeighbourVisit.objects.get(pk=moved.pk).child == doudou


def test_a_concert_page_has_performers_but_no_audience_children_or_meal(here: Place) -> None:
    concert = ActivityFactory(community=here.community)

    response = signed_in(here.staff).get(reverse("admin:volunteer_programme_activity_change", args=[concert.pk]))

    assert response.status_code == 200
    assert [f.formset.prefix for f in response.context["inline_admin_formsets"]] == ["performers"]
    assert "meal_on" not in response.context["adminform"].form.fields
