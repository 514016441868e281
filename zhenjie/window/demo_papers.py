"""Today's few applications at the demo county's windows, taken through the real actions — filing,
one-time notice, supplement, acceptance with its routing, a county department's decision, a joint
item's opinions, refusal, hand-over — so they carry the real numbered PDFs (收件回执, 一次性告知书,
受理通知书 or 不予受理通知书, 准予/不予决定书, 送达回证) a visitor can open from the application's sheet.

The year before today is replayed in bulk (window/demo.py), which issues no documents: a PDF costs
about 0.1 s, so only these few dozen are printed."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from zhenjie.accounts.models import User
from zhenjie.demo import county as plan
from zhenjie.kernel.models import Party
from zhenjie.kernel.pii import citizen_id_check_character
from zhenjie.lists.models import ServiceItem

from .actions.acceptance import accept_application, refuse_acceptance
from .actions.decision import approve_application, refuse_application
from .actions.delivery import deliver_application
from .actions.intake import Filing, MaterialIn, file_application
from .actions.joint import give_opinion
from .actions.notice import Supplied, issue_notice, supplement
from .models import Application, ApplicationMaterial, Channel, Decision, DeliveryMethod, MaterialStatus

HOMESTEAD = "农村村民宅基地申请审批"  # a joint item outside the town it was delegated to (lists demo_data/services.py)
SUBSISTENCE = "最低生活保障申请"  # decided by the county's civil-affairs bureau (县民政局)


@dataclass(frozen=True)
class Story:
    township: str  # the township's slug (demo/county.py)
    item: str  # the guide item's name; "" takes the township's first item that has papers and no power code
    applicant: str
    steps: tuple[str, ...]  # what happens after filing, in order (Teller's methods)


STORIES = (
    Story("chengguan", "", "陈立新", ("notice", "supplement", "accept", "approve", "hand_over")),
    Story("dongxi", SUBSISTENCE, "杨淑珍", ("accept", "approve", "post")),
    Story("shiqiao", HOMESTEAD, "赵国庆", ("accept", "opinions", "approve", "hand_over")),
    Story("dongxi", HOMESTEAD, "马春生", ("accept",)),
    Story("liuwan", "", "刘晓东", ("refuse_acceptance",)),
    Story("liuwan", "", "王美玲", ("accept", "refuse", "hand_over")),
)


def _person(n: int, name: str) -> tuple[str, str]:
    """A fictional applicant's ID (division 99…, a valid check character) and mobile."""
    body = f"{plan.COUNTY_CODE}{date(1960, 1, 1) + timedelta(days=1999 * n):%Y%m%d}9{n:02d}"
    return body + citizen_id_check_character(body), f"139{n:04d}{len(name):04d}"


def _item(world, township, name: str) -> ServiceItem:
    if name:
        return next(item for item in township.items if item.name == name)
    return next(item for item in township.items if not item.power_code and not item.agent_point and world.materials.get(item.pk))


class Teller:
    """Acts one story: who does each step is whoever the real rules let (the window clerk, the
    deciding unit's people)."""

    def __init__(self, world, township, application: Application):
        self.world, self.township, self.application = world, township, application

    def _deciders(self) -> list[User]:
        return [self.world.people[route.unit_id] for route in self.application.routes.order_by("position")]

    def notice(self) -> None:
        first = ApplicationMaterial.objects.filter(application=self.application).order_by("position").first()
        issue_notice(self.township.clerk, self.application, {first.pk: "复印件不清晰，请提供清晰复印件"})

    def supplement(self) -> None:
        first = ApplicationMaterial.objects.filter(application=self.application).select_related("guide_material").order_by("position").first()
        paper = first.guide_material
        supplement(self.township.clerk, self.application, {first.pk: Supplied(form=paper.form, copies=max(paper.copies, 1))})

    def accept(self) -> None:
        accept_application(self.township.clerk, self.application)

    def refuse_acceptance(self) -> None:
        refuse_acceptance(self.township.clerk, self.application, "申请人不符合受理条件(户籍不在本辖区)，已告知向户籍所在地申请")

    def opinions(self) -> None:
        for person in self._deciders()[1:]:
            give_opinion(person, self.application, decision=Decision.APPROVED, reason="经现场踏勘，选址符合国土空间规划，同意")

    def approve(self) -> None:
        approve_application(self._deciders()[0], self.application, opinion="经审查，符合条件，准予办理")

    def refuse(self) -> None:
        refuse_application(self._deciders()[0], self.application, "经审查，申报情况与实际不符，不予办理")

    def hand_over(self) -> None:
        deliver_application(self.township.clerk, self.application, method=DeliveryMethod.WINDOW, received_by=self.application.applicant.name)

    def post(self) -> None:
        deliver_application(self.township.clerk, self.application, method=DeliveryMethod.POST, tracking_number=f"YZ{self.application.pk:011d}")


def tell(world, story: Story, n: int, at: datetime) -> Application:
    township = next(t for t in world.townships if t.slug == story.township)
    item = _item(world, township, story.item)
    id_number, phone = _person(n, story.applicant)
    received = {m.pk: MaterialIn(status=MaterialStatus.RECEIVED, form=m.form, copies=max(m.copies, 1)) for m in world.materials.get(item.pk, [])}
    filed = file_application(township.clerk, Filing(
        item_id=item.pk, applicant_kind=Party.Kind.PERSON, applicant_name=story.applicant, id_number=id_number, phone=phone, materials=received,
        channel=Channel.WINDOW,
    ), at=at)  # fmt: skip
    teller = Teller(world, township, filed.application)
    for step in story.steps:
        act: Callable[[], None] = getattr(teller, step)
        act()
        filed.application.refresh_from_db()
    return filed.application
