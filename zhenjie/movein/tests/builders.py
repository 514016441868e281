"""Real .xlsx files for the movein tests, written the way a county's clerk would."""

import io

from openpyxl import Workbook, load_workbook


def xlsx(headers: list[str], rows: list[list]) -> bytes:
    book = Workbook()
    book.active.append(headers)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rows_of(content: bytes) -> list[list]:
    """An .xlsx's first sheet as lists of text ("" for empty cells)."""
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


AREA_HEADERS = ["区划代码", "名称", "类型", "上级区划代码", "经济发达镇", "排序"]


def county_tree(*, extra: list[list] | None = None, rename_b: str = "") -> bytes:
    """The make_world county's townships and villages plus a new township with two villages."""
    rows = [
        ["990199000000", "测试县", "县", "", "", ""],
        ["990199101000", "甲镇", "镇", "990199000000", "是", "0"],
        ["990199102000", rename_b or "乙镇", "镇", "990199000000", "否", "0"],
        ["990199101201", "甲一村", "村", "990199101000", "", "0"],
        ["990199102201", "乙一村", "村", "990199102000", "", "0"],
        ["990199001000", "城关街道", "街道", "990199000000", "", "3"],
        ["990199001001", "东门社区", "社区", "990199001000", "", "1"],
        ["990199001201", "西门村", "村", "990199001000", "", "2"],
    ]
    return xlsx(AREA_HEADERS, rows + (extra or []))


UNIT_HEADERS = ["名称", "简称", "类型", "所在区划代码", "上级机构", "主管部门", "联系电话", "排序"]


def unit_rows() -> list[list]:
    """make_world's units as its export writes them, plus a new department and its station in B."""
    return [
        ["测试县公安局", "", "县直部门", "990199000000", "", "", "", "0"],
        ["测试县市场监督管理局", "县市场监管局", "县直部门", "990199000000", "", "", "0571-1", "1"],
        ["甲镇人民政府", "", "乡镇政府(街道办事处)", "990199101000", "", "", "", "0"],
        ["甲镇社会治理综合指挥中心", "", "事业单位(中心)", "990199101000", "", "", "", "0"],
        ["甲镇社会治理办公室", "", "党政工作机构", "990199101000", "", "", "", "0"],
        ["甲镇派出所", "", "派驻机构", "990199101000", "", "测试县公安局", "", "0"],
        ["乙镇人民政府", "", "乡镇政府(街道办事处)", "990199102000", "", "", "", "0"],
        ["乙镇社会治理综合指挥中心", "", "事业单位(中心)", "990199102000", "", "", "", "0"],
        ["乙镇市场监管所", "", "派驻机构", "990199102000", "", "测试县市场监督管理局", "", "0"],
        ["乙镇党政办公室", "", "党政工作机构", "990199102000", "乙镇人民政府", "", "", "1"],
        ["甲一村村民委员会", "", "村(居)民委员会", "990199101201", "", "", "", "0"],
    ]


PEOPLE_HEADERS = ["姓名", "手机号", "身份证号", "用户名", "机构", "机构所在区划代码", "岗位名称", "角色", "辖区代码"]


def citizen_id(n: int) -> str:
    """A fictional number that passes GB 11643 (zhenjie.testing.citizen_id: address 990199)."""
    from datetime import date

    from zhenjie.testing import citizen_id as fictional

    return fictional(n, born=date(1980, 1, 1))


def people_rows() -> list[list]:
    """Three new people in township A (one with two posts) and one in B."""
    return [
        ["王一", "13900000001", citizen_id(1), "", "甲镇社会治理综合指挥中心", "990199101000", "调度员", "指挥中心调度员", "990199101000"],
        ["王一", "13900000001", citizen_id(1), "", "甲镇人民政府", "990199101000", "副镇长", "乡镇(街道)领导", "990199101000"],
        ["李二", "13900000002", citizen_id(2), "li_er", "甲镇社会治理办公室", "990199101000", "综治专干", "后台审批人员、调解员", "990199101000"],
        ["赵三", "13900000003", citizen_id(3), "", "乙镇社会治理综合指挥中心", "990199102000", "调度员", "指挥中心调度员", "990199102000"],
    ]
