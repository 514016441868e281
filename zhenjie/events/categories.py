"""The categories every county starts with. Counties edit them in the app (names, deadlines,
whether on-site verification is needed); these rows are only created when missing.

No document fixes handling times for township events (shared/reference/statutory-deadlines.md
§6: the 12345 opinions set none; local rules do), so the defaults are ordinary practice: urgent
hazards are acknowledged within an hour and handled within hours, routine matters within days."""

from zhenjie.kernel.models import DeadlineUnit as U

H, W, N = U.HOURS, U.WORKING_DAYS, U.NATURAL_DAYS

# code, name, urgency, (ack amount, unit), (handle amount, unit), (verify amount, unit), needs verification
DEFAULT_CATEGORIES = [
    ("sanitation", "环境卫生", "normal", (2, H), (2, W), (1, W), True),
    ("illegal_construction", "违章建筑", "urgent", (2, H), (5, W), (1, W), True),
    ("street_vending", "占道经营", "normal", (2, H), (1, W), (1, W), True),
    ("safety_hazard", "安全隐患", "critical", (1, H), (24, H), (4, H), True),
    ("gas_safety", "燃气安全", "critical", (1, H), (12, H), (4, H), True),
    ("dispute", "矛盾纠纷", "urgent", (2, H), (10, W), (1, W), False),
    ("road_facility", "道路设施", "normal", (4, H), (5, W), (1, W), True),
    ("river_lake", "河湖管护", "normal", (4, H), (5, W), (1, W), True),
    ("forest_fire", "森林防火", "critical", (1, H), (6, H), (4, H), True),
    ("noise", "噪声扰民", "normal", (2, H), (3, W), (1, W), True),
    ("pollution", "环境污染", "urgent", (2, H), (3, W), (1, W), True),
    ("food_safety", "食品安全", "urgent", (2, H), (3, W), (1, W), True),
    ("public_security", "治安隐患", "urgent", (1, H), (2, W), (1, W), True),
    ("farmland", "耕地保护", "normal", (4, H), (10, W), (2, W), True),
    ("straw_burning", "秸秆焚烧", "critical", (1, H), (6, H), (4, H), True),
    ("other", "其他", "normal", (4, H), (5, W), (1, W), False),
]


def ensure_default_categories(sender, using="default", **kwargs):
    from .models import Category

    Category.objects.using(using).bulk_create(
        [
            Category(
                code=code, name=name, urgency=urgency,
                acknowledge_amount=ack[0], acknowledge_unit=ack[1],
                handle_amount=handle[0], handle_unit=handle[1],
                verify_amount=verify[0], verify_unit=verify[1],
                needs_verification=verify_needed, sort_order=index,
            )
            for index, (code, name, urgency, ack, handle, verify, verify_needed) in enumerate(DEFAULT_CATEGORIES)
        ],
        ignore_conflicts=True,
    )
