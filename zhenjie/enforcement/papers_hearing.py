"""The papers of part 3 as kernel document kinds (kernel/DOCUMENTS.md): the 行政处罚事先告知书
(行政处罚法 Arts. 44, 45, 63, 64) and the 听证通知书 (Art. 64(2)). Numbered per team and year,
worded by the county; each is issued inside the transaction of its step (actions/hearing.py) and
reads the notice or the hearing that step has just written."""

from django.utils import timezone

from zhenjie.kernel.documents import DocField
from zhenjie.kernel.documents.pdf import chinese_date

from .documents import declare
from .rules_hearing import day_text, hearing_of, latest_notice

PRIOR_NOTICE = "enforcement_hearing_prior_notice"
HEARING_NOTICE = "enforcement_hearing_notice"


def _party(case) -> str:
    party = case.enforcement.party
    return party.name if party else "当事人"


def _rights(notice) -> str:
    until = day_text(notice.reply_until)
    if notice.hearing_right:
        return (
            f"你(单位)享有陈述、申辩和要求听证的权利。你(单位)可在{until}前(告知之日起五个工作日内)提出陈述、申辩；"
            f"要求听证的，应当在{until}前向本机关提出，逾期视为放弃听证权利(《中华人民共和国行政处罚法》第六十三条、第六十四条)。"
        )
    return f"你(单位)享有陈述、申辩的权利，可在{until}前(告知之日起五个工作日内)向本机关提出；逾期未提出的，视为放弃此权利。"


def _notice_values(case) -> dict[str, str]:
    notice = latest_notice(case.pk)
    return {
        "party": _party(case), "facts": notice.facts, "legal_basis": notice.legal_basis,
        "penalty": notice.penalty_text, "rights": _rights(notice), "reply_until": day_text(notice.reply_until),
    }  # fmt: skip


def _hearing_values(case) -> dict[str, str]:
    hearing = hearing_of(latest_notice(case.pk))
    return {
        "party": _party(case), "hearing_time": _when(hearing.scheduled_at), "place": hearing.place,
        "presiding": hearing.presiding.display_name,
    }  # fmt: skip


def _when(moment) -> str:
    local = timezone.localtime(moment)
    return f"{chinese_date(local)}{local:%H:%M}"


declare(
    PRIOR_NOTICE, "行政处罚事先告知书", "告", who="本案的执法人员",
    fields=(
        DocField("party", "当事人", sample="李建国"),
        DocField("facts", "违法事实", sample="2026年5月在某村未经批准擅自搭建彩钢棚……"),
        DocField("legal_basis", "处罚依据", sample="《××条例》第××条"),
        DocField("penalty", "拟作出的行政处罚", sample="罚款5000元"),
        DocField("rights", "当事人的权利", sample="你(单位)享有陈述、申辩的权利……"),
        DocField("reply_until", "陈述申辩、要求听证期限", sample="2026年10月13日"),
    ),
    values=_notice_values,
    body=(
        "{party}：\n"
        "\u3000\u3000经调查，本机关认定你(单位)存在以下违法事实：{facts}\n"
        "\u3000\u3000上述行为违反了{legal_basis}的规定。依据上述规定，本机关拟对你(单位)作出如下行政处罚：{penalty}。\n"
        "\u3000\u3000根据《中华人民共和国行政处罚法》第四十四条、第四十五条的规定，现将拟作出行政处罚的内容及事实、理由、依据告知你(单位)。"
        "{rights}\n"
        "\u3000\u3000本机关不因你(单位)陈述、申辩而给予更重的处罚。\n"
        "\u3000\u3000案件编号：{case_number}\u3000\u3000经办人：{issuer}"
    ),
)  # fmt: skip

declare(
    HEARING_NOTICE, "听证通知书", "听", who="本案的执法人员",
    fields=(
        DocField("party", "当事人", sample="李建国"),
        DocField("hearing_time", "听证时间", sample="2026年10月20日09:30"),
        DocField("place", "听证地点", sample="甲镇人民政府三楼会议室"),
        DocField("presiding", "听证主持人", sample="王明"),
    ),
    values=_hearing_values,
    body=(
        "{party}：\n"
        "\u3000\u3000根据你(单位)的申请，本机关定于{hearing_time}在{place}就「{case_title}」一案(案件编号{case_number})公开举行听证"
        "(涉及国家秘密、商业秘密或者个人隐私依法予以保密的除外)，听证主持人为{presiding}。\n"
        "\u3000\u3000请你(单位)或委托代理人持身份证明、授权委托书及有关证据材料按时参加。你(单位)认为主持人与本案有直接利害关系的，"
        "有权申请回避。\n"
        "\u3000\u3000无正当理由拒不出席听证或者未经许可中途退出听证的，视为放弃听证权利，本机关终止听证(《中华人民共和国行政处罚法》第六十四条)。"
    ),
)  # fmt: skip
