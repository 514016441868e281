"""The kernel's input checks, as a clerk or a phone would meet them: what is refused, with which
code and Chinese message, naming which field — and what comes back when it is fine."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from zhenjie.kernel import inputs
from zhenjie.kernel.errors import Rejected


def refusal(check, *args, **kwargs) -> tuple[str, str, str]:
    with pytest.raises(Rejected) as refused:
        check(*args, **kwargs)
    return refused.value.code, refused.value.field, refused.value.message


# ---- text ----------------------------------------------------------------------------------------


def name(value, **options):
    return inputs.text(value, field="name", label="姓名", max_length=4, code="grid", **options)


def test_text_is_stripped_and_nothing_is_empty_text():
    assert name("  王五 \n") == "王五"
    assert name(None) == "" and name("   ") == ""


@pytest.mark.parametrize("value", [12, 1.5, True, ["王五"], {"name": "王五"}, b"wang"])
def test_text_that_is_not_text_is_refused_naming_the_field(value):
    assert refusal(name, value) == ("grid.name_invalid", "name", "姓名须为文本")


def test_required_text_must_be_there_and_may_say_for_which_step():
    assert refusal(name, "  ", required=True) == ("grid.name_required", "name", "请填写姓名")
    assert refusal(name, None, required=True, required_message="「签收」须填写姓名")[2] == "「签收」须填写姓名"


def test_text_longer_than_its_bound_is_refused_with_how_long_it_is():
    assert name("欧阳娜娜") == "欧阳娜娜"  # at the bound
    assert refusal(name, "欧阳娜娜娜 ") == ("grid.name_too_long", "name", "姓名不能超过4字(现有5字)")


def test_text_without_a_bound_is_only_stripped():
    assert inputs.text(" 长" * 10_000, field="note", label="说明", max_length=None, code="case") == ("长 " * 10_000).strip()


# ---- choice and integer ------------------------------------------------------------------------


SITUATIONS = [("fine", "正常"), ("needs_help", "需要帮扶")]


@pytest.mark.parametrize("value", ["unknown", "", None, ["fine"], {"fine": 1}, 1])
def test_a_choice_outside_the_list_is_refused(value):
    assert refusal(inputs.choice, value, field="situation", label="走访结论", choices=SITUATIONS, code="grid") == (
        "grid.situation_invalid", "situation", "请选择有效的走访结论",
    )  # fmt: skip


def test_a_choice_in_the_list_comes_back():
    assert inputs.choice("fine", field="situation", label="走访结论", choices=SITUATIONS, code="grid") == "fine"
    assert inputs.choice("b", field="kind", label="类型", choices=["a", "b"], code="hall") == "b"


def floors(value, **options):
    return inputs.integer(value, field="floors", label="层数", low=1, high=200, code="grid", **options)


def test_an_integer_may_come_as_digits():
    assert floors(3) == 3 and floors(" 12 ") == 12 and floors("200") == 200


@pytest.mark.parametrize("value", [0, 201, -1, True, 2.0, "2.5", "十", "²", "1" * 5000, [3]])
def test_an_integer_out_of_range_or_not_a_whole_number_is_refused(value):
    assert refusal(floors, value) == ("grid.floors_invalid", "floors", "层数须为1至200之间的整数")


def test_a_missing_integer_is_refused_only_when_required():
    assert refusal(floors, "") == ("grid.floors_required", "floors", "请填写层数")
    assert floors(None, required=False) is None


# ---- moments and dates -------------------------------------------------------------------------


def handed(value, **options):
    return inputs.moment(value, field="handed_at", label="交接时间", code="agent_point.handed_at", **options)


def test_no_moment_means_now_and_a_naive_one_is_read_in_local_time():
    before = timezone.now()
    assert before <= handed(None) <= timezone.now()
    naive = datetime(2026, 3, 2, 9, 30)
    assert handed(naive) == timezone.make_aware(naive)


def test_a_phone_clock_a_little_ahead_is_allowed_but_the_future_is_not():
    assert handed(timezone.now() + inputs.CLOCK_SKEW - timedelta(seconds=30))
    assert refusal(handed, timezone.now() + timedelta(hours=1)) == ("agent_point.handed_at_future", "handed_at", "交接时间不能晚于现在")


@pytest.mark.parametrize("value", ["2026-03-02 09:30", date(2026, 3, 2), 1767225600, [2026, 3, 2]])
def test_a_moment_that_is_not_a_datetime_is_refused(value):
    assert refusal(handed, value) == ("agent_point.handed_at_invalid", "handed_at", "交接时间格式不正确")


def test_a_moment_before_the_earliest_is_refused_with_the_callers_words():
    received = timezone.now() - timedelta(days=1)
    assert refusal(handed, received - timedelta(minutes=1), earliest=received) == ("agent_point.handed_at_too_early", "handed_at", "交接时间过早")
    code, _, message = refusal(handed, received - timedelta(minutes=1), earliest=received, early_code="agent_point.before_receipt",
                               early_message="交接时间不能早于收件时间")  # fmt: skip
    assert (code, message) == ("agent_point.before_receipt", "交接时间不能早于收件时间")
    assert handed(received, earliest=received) == received


def born(value, **options):
    return inputs.past_date(value, field="born_on", label="出生日期", code="grid", **options)


def test_a_past_date_may_be_today_and_a_moment_counts_as_its_local_day():
    today = timezone.localdate()
    assert born(today) == today
    late_evening = timezone.make_aware(datetime.combine(today - timedelta(days=1), datetime.min.time()) + timedelta(hours=23, minutes=30))
    assert born(late_evening) == today - timedelta(days=1)


def test_a_date_out_of_range_is_refused():
    today = timezone.localdate()
    assert refusal(born, today + timedelta(days=1)) == ("grid.born_on_future", "born_on", "出生日期不能晚于今天")
    assert refusal(born, date(1800, 1, 1)) == ("grid.born_on_too_early", "born_on", "出生日期过早，请核对")
    assert refusal(born, today - timedelta(days=400), earliest_years=1)[0] == "grid.born_on_too_early"


@pytest.mark.parametrize("value", ["2001-05-06", None, 20010506])
def test_a_date_that_is_not_a_date_is_refused(value):
    assert refusal(born, value) == ("grid.born_on_invalid", "born_on", "出生日期须为日期")
