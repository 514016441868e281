"""Parties (当事人): people and organisations registered once per county and linked to cases
with a role — reporter, applicant, party, petitioner, or an agent acting for one of them. See
PARTIES.md beside this file.

Personal data stays sealed (kernel.pii): a party's ID number or credit code and phone are stored
as ciphertext, keyed digest and mask; lists, pages, the API and exports show the masks; the full
value is read through `reveal_party` by roles the case's kind allows, and each reading is
journaled. The journal records who linked or read whom by the party's number, never the data."""

import re
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Prefetch

from zhenjie.areas.models import Area
from zhenjie.areas.paths import county_of

from . import journal, opened, pii
from .errors import ActionError, Conflict, Forbidden, NotFound, Rejected
from .models import Case, CaseParty, Party
from .prepared import Prepared
from .scoping import can_see_case, reach_of
from .workflow import rule_of

ID_CONTEXT = "kernel.party.id_number"
PHONE_CONTEXT = "kernel.party.phone"
NAME_MAX = 100

# A rule for who may read a party's full numbers on one of its cases: None when the actor may,
# else the refusal to raise. By default the kind's declared "reveal_personal_data" action.
RevealRule = Callable[[Any, Case], ActionError | None]

_LANDLINE = re.compile(r"0\d{9,11}")  # the area code with its 0, then a 7- or 8-digit number
MASKED_MAX = 20


def _case_not_found() -> NotFound:
    return NotFound("case.not_found", "事项不存在或不在您的辖区内")


def _mask_digits(digits: str) -> str:
    if not 7 <= len(digits) <= MASKED_MAX:
        return ""
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def seal_contact_phone(value: str, context: str, *, field: str = "phone", strict: bool = True) -> pii.Sealed:
    """A mobile sealed (encrypted, hashed, masked); a landline — the hotline's callers — masked
    only, since pii seals mobiles alone. With `strict=False`, what an outside system passes on,
    any other number of seven to twenty digits is kept masked and anything else dropped: a report
    is never refused for the caller's number it carries."""
    if not (value or "").strip():
        return pii.EMPTY
    try:
        return pii.seal_phone(value, context, field=field)
    except Rejected:
        pass
    digits = "".join(ch for ch in value if ch.isdigit())
    if strict and not _LANDLINE.fullmatch(digits):
        raise Rejected("party.phone_invalid", "电话应为11位手机号码，或带区号的固定电话", field=field)
    return pii.Sealed("", "", _mask_digits(digits), "")


def _seal_identifier(kind: str, value: str) -> pii.Sealed:
    if not (value or "").strip():
        return pii.EMPTY
    if kind == Party.Kind.PERSON:
        return pii.seal_id_number(value, ID_CONTEXT, field="id_number")
    return pii.seal_credit_code(value, ID_CONTEXT, field="id_number")


def _require_county(actor, county: Area) -> None:
    """Staff register and look up parties of the county they work in. An outside actor (a
    citizen, an integration) has no posts: it registers only through an action that has already
    decided it may (intake), so it is let through here."""
    if county is None or county.level != Area.Level.COUNTY:
        raise Rejected("party.county_required", "请指明当事人登记所在的县", field="county")
    if getattr(actor, "pk", None) is None:
        return
    roots = reach_of(actor).paths
    if not any(root.startswith(county.path) or county.path.startswith(root) for root in roots):
        raise Forbidden("party.outside_county", "只能登记和查找本县的当事人")


def _phone_fields(contact: pii.Sealed) -> dict:
    return {"phone_cipher": contact.cipher, "phone_digest": contact.digest, "phone_masked": contact.masked}


def _known(actor, party: Party, name: str, contact: pii.Sealed) -> Party:
    """The party already registered under this identifier: the same person or organisation, so
    the name must agree; a phone given now replaces the one kept (the newest is the one to call)."""
    if party.name != name:
        # The registered name is not echoed: whoever typed a wrong number learns nothing of whose it is.
        raise Conflict("party.name_mismatch", "该证件号码已登记，但姓名(名称)与登记的不一致，请核对姓名和证件号码", field="name")
    changed = contact.masked and (contact.digest != party.phone_digest or contact.masked != party.phone_masked)
    if changed:
        Party.objects.filter(pk=party.pk).update(**_phone_fields(contact))
        for name_, value in _phone_fields(contact).items():
            setattr(party, name_, value)
        journal.record(actor=actor, verb="party_update", chain=party.county.path, subject=f"party:{party.pk}",
                       summary=f"更新当事人(编号{party.pk})的联系电话")
    return party


def _register(actor, county: Area, kind: str, name: str, identifier: pii.Sealed, contact: pii.Sealed) -> Party:
    if identifier.digest and (found := Party.objects.filter(county=county, id_number_digest=identifier.digest).first()):
        return _known(actor, found, name, contact)
    fields = dict(
        county=county, kind=kind, name=name, id_number_cipher=identifier.cipher, id_number_digest=identifier.digest,
        id_number_masked=identifier.masked, created_by=actor if getattr(actor, "pk", None) else None, **_phone_fields(contact),
    )
    try:
        with transaction.atomic():
            party = Party.objects.create(**fields)
    except IntegrityError:  # registered by someone else since we looked
        return _known(actor, Party.objects.get(county=county, id_number_digest=identifier.digest), name, contact)
    journal.record(actor=actor, verb="party_register", chain=county.path, subject=f"party:{party.pk}",
                   summary=f"登记当事人(编号{party.pk}，{party.get_kind_display()})")
    return party


@transaction.atomic
def register_party(actor, county: Area, kind: str, name: str, *, id_number: str = "", phone: str = "") -> Party:
    """A person or organisation, once per county. With an ID number (a person) or a unified
    social credit code (an organisation), registering again returns the party already there —
    also when two clerks register the same person at the same moment. Without one, each call
    registers a new party (a caller who gave only a name and a phone cannot be told apart from
    another with the same name)."""
    _require_county(actor, county)
    if kind not in Party.Kind.values:
        raise Rejected("party.kind_invalid", "当事人类型须为个人或单位", field="kind")
    name = " ".join(str(name or "").split())
    if not name:
        raise Rejected("party.name_required", "请填写当事人姓名或单位名称", field="name")
    if len(name) > NAME_MAX:
        raise Rejected("party.name_too_long", f"姓名或名称不能超过{NAME_MAX}字", field="name")
    return _register(actor, county, kind, name, _seal_identifier(kind, id_number), seal_contact_phone(phone, PHONE_CONTEXT))


UNNAMED = "群众"


def record_reporter(
    actor, case: Case, name: str, phone: str, *, role: str = CaseParty.Role.REPORTER, acting_for: CaseParty | None = None
) -> CaseParty | None:
    """Intake's record of who came in: a person with the name and phone a channel gave (either
    may be missing), registered in the case's county and linked in `role`. Taken as given, as a
    channel gives it: a number that is not a mobile is kept masked or dropped, a long name is
    cut, nothing is refused — the intake that opened the case has already decided the actor may
    report there. Nothing is recorded when neither a name nor a phone is known. An agent names
    the link of the party they act for (`acting_for`)."""
    name = " ".join(str(name or "").split())[:NAME_MAX]
    contact = seal_contact_phone(phone, PHONE_CONTEXT, strict=False)
    if not name and not contact.masked:
        return None  # before the savepoint: a grid worker's report names nobody, and costs no round trip
    with transaction.atomic():
        county = county_of(case.area)
        party = _register(actor, county, Party.Kind.PERSON, name or UNNAMED, pii.EMPTY, contact)
        return link_party(actor, case, party, role, acting_for)


def find_party(actor, county: Area, id_number: str) -> Party:
    """The county's party with this ID number or credit code, found by its keyed digest."""
    _require_county(actor, county)
    digests = []
    for kind, normalise in ((pii.ID_NUMBER, pii.normalise_citizen_id), (pii.CREDIT_CODE, pii.normalise_credit_code)):
        try:
            digests.append(pii.lookup_digest(kind, normalise(id_number)))
        except Rejected:
            pass  # an 18-digit value may read as either; it is the one that passes its check
    if not digests:
        raise Rejected("party.id_number_invalid", "请填写有效的身份证号或统一社会信用代码", field="id_number")
    party = Party.objects.filter(county=county, id_number_digest__in=digests).first()
    if party is None:
        raise NotFound("party.not_found", "本县尚未登记该证件号码的当事人")
    return party


@transaction.atomic
def link_party(actor, case: Case, party: Party, role: str, acting_for: CaseParty | None = None) -> CaseParty:
    """Name `party` on `case` in `role`; an agent names the party of the case they act for.
    Linking again the same way returns the link already there. Journaled on the case by the
    party's number and role."""
    if getattr(actor, "pk", None) is not None and not can_see_case(actor, case):
        raise _case_not_found()
    if role not in CaseParty.Role.values:
        raise Rejected("party.role_invalid", "当事人身份不正确", field="role")
    if not case.area.path.startswith(party.county.path):
        raise Rejected("party.other_county", "该当事人登记在其他县，不能列入本事项", field="party")
    if role == CaseParty.Role.AGENT:
        if acting_for is None:
            raise Rejected("party.principal_required", "代理人须指明代理的当事人", field="acting_for")
        if acting_for.case_id != case.pk:
            raise Rejected("party.principal_elsewhere", "代理对象须为本事项的当事人", field="acting_for")
        if acting_for.role == CaseParty.Role.AGENT or acting_for.party_id == party.pk:
            raise Rejected("party.principal_invalid", "代理对象不能是代理人或其本人", field="acting_for")
    elif acting_for is not None:
        raise Rejected("party.not_an_agent", "只有代理人须指明代理对象", field="acting_for")
    label = CaseParty.Role(role).label
    acting_for_id = acting_for.pk if acting_for else None
    already = Conflict("party.already_linked", f"该当事人已作为{label}列入本事项", field="party")
    if existing := CaseParty.objects.filter(case=case, party=party, role=role).first():
        if existing.acting_for_id == acting_for_id:
            return existing
        raise already
    try:
        with transaction.atomic():
            link = CaseParty.objects.create(
                case=case, party=party, role=role, acting_for=acting_for, linked_by=actor if getattr(actor, "pk", None) else None
            )
    except IntegrityError:
        raise already from None
    summary = f"登记{label}(当事人编号{party.pk})"
    if acting_for is not None:
        summary += f"，代理当事人编号{acting_for.party_id}"
    journal.record(actor=actor, verb="party_link", case=case, summary=summary, from_state=case.state, to_state=case.state,
                   data={"party": party.pk, "role": role, "acting_for": acting_for.party_id if acting_for else None})
    opened.note(case, "parties", link)
    return link


def parties_for_case(user, case: Case) -> list[CaseParty]:
    """A case's parties, for someone who can see the case — the only way to a party's details
    (NotFound otherwise). Show the masks; the full numbers only through reveal_party."""
    if not can_see_case(user, case):
        raise _case_not_found()
    return _PARTIES_OF_CASE(case_id=case.pk)


# Every case's page reads it: a four-table join PostgreSQL took longer to plan (1 ms) than to
# answer, so compiled and planned once (kernel.prepared, issue 11).
_PARTIES_OF_CASE = Prepared(
    lambda case_id: CaseParty.objects.filter(case_id=case_id).select_related("party", "acting_for__party").order_by("pk"), case_id=int
)


def masked_line(link: CaseParty) -> str:
    """One party as an export cell shows it: role, name, masked identifier and phone."""
    party = link.party
    return " ".join(part for part in (link.get_role_display(), party.name, party.id_number_masked, party.phone_masked) if part)


def prefetch_for_cases(case_field: str = "case") -> Prefetch:
    """What an export of rows carrying a case prefetches to show their parties (two queries per
    chunk of rows, whatever their number)."""
    return Prefetch(f"{case_field}__parties", queryset=CaseParty.objects.select_related("party").order_by("pk"))


def reveal_on_case(actor, case: Case, sealed: dict[str, tuple[str, str]], *, may: RevealRule, missing: str, verb: str,
                   summary: str) -> dict[str, str]:
    """The full values behind `sealed` ({name: (cipher, context)}) kept for `case`, for someone
    who can see the case and whom the kind's rule `may` allows. Each reading is journaled on the
    case — who and when, never the value; a value that cannot be decrypted is a clear message and
    no entry, so the journal never says a number was read that was not."""
    if not can_see_case(actor, case):
        raise _case_not_found()
    if (refused := may(actor, case)) is not None:
        raise refused
    if not any(cipher for cipher, _ in sealed.values()):
        raise Conflict("pii.nothing_kept", missing)
    try:
        values = {name: pii.decrypt(cipher, context) for name, (cipher, context) in sealed.items()}
    except pii.DecryptionFailed:
        raise Conflict("pii.unreadable", "号码无法解密(密钥可能已更换)，请联系系统管理员") from None
    with transaction.atomic():
        journal.record(actor=actor, verb=verb, case=case, summary=summary, from_state=case.state, to_state=case.state)
    return values


def reveal_party(actor, link: CaseParty, *, may: RevealRule | None = None) -> dict[str, str]:
    """A party's full ID number (or credit code) and mobile, read through one of their cases."""
    party = link.party
    return reveal_on_case(
        actor, link.case,
        {"id_number": (party.id_number_cipher, ID_CONTEXT), "phone": (party.phone_cipher, PHONE_CONTEXT)},
        may=may or rule_of("reveal_personal_data"), missing="该当事人未留证件号码或手机号码", verb="reveal_party",
        summary=f"查看{link.get_role_display()}(当事人编号{party.pk})的完整证件号码和电话",
    )
