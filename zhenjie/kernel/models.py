"""The tables every domain shares: the case header, assignments (the inbox), the journal,
numbering, files, notifications and the working-day calendar. Rules live in the modules beside
this one (workflow.py, journal.py, deadlines.py, numbering.py, attachments.py), not in save()."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class DeadlineUnit(models.TextChoices):
    WORKING_DAYS = "working_days", "工作日"
    NATURAL_DAYS = "natural_days", "自然日"
    HOURS = "hours", "小时"


class Case(models.Model):
    """The common header of anything handled against a deadline. Each domain keeps its own
    detail table beside it (one-to-one) and declares its states in a workflow."""

    kind = models.CharField("类型", max_length=32)
    number = models.CharField("编号", max_length=64, blank=True)
    title = models.CharField("标题", max_length=200)
    state = models.CharField("状态", max_length=32)
    area = models.ForeignKey("areas.Area", verbose_name="所属区划", on_delete=models.PROTECT, related_name="cases")
    owner_unit = models.ForeignKey(
        "units.Unit", verbose_name="责任单位", null=True, blank=True, on_delete=models.PROTECT, related_name="owned_cases"
    )
    channel = models.CharField("渠道", max_length=32, blank=True)
    # An outside number (a 12345 order, a video alarm id): one case per kind, channel and number (kernel/intake.py).
    external_id = models.CharField("外部编号", max_length=64, blank=True, help_text="12345工单号、视频告警编号等")
    opened_at = models.DateTimeField("发起时间", default=timezone.now)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    # The running deadline: what it is, when it started, and where it stands.
    deadline_unit = models.CharField("时限单位", max_length=16, choices=DeadlineUnit.choices, blank=True)
    deadline_amount = models.PositiveIntegerField("时限", null=True, blank=True)
    deadline_started_at = models.DateTimeField("计时起点", null=True, blank=True)
    due_at = models.DateTimeField("截止时间", null=True, blank=True)
    due_uncertain = models.BooleanField(
        "截止时间待确认", default=False, help_text="时限跨入了节假日安排尚未公布的年份，按普通周末推算"
    )
    paused_at = models.DateTimeField("中止时间", null=True, blank=True)
    extended_amount = models.PositiveIntegerField("已延期", default=0)
    # What pauses added, kept so a deadline can be recomputed from its start (see deadlines.recompute).
    paused_working_days = models.PositiveIntegerField("中止顺延工作日", default=0)
    paused_seconds = models.PositiveBigIntegerField("中止顺延秒数", default=0)

    # Supervision (督办): yellow when due soon, red when overdue or carded by a leader.
    alert = models.CharField("督办", max_length=8, choices=[("", "正常"), ("yellow", "黄牌"), ("red", "红牌")], blank=True, default="")
    alert_since = models.DateTimeField("督办时间", null=True, blank=True)
    alert_leader_notified = models.BooleanField("已报告领导", default=False)

    # A citizen follows the case by its number and a code shown once (kernel/tracking.py); only a
    # keyed digest of the code is kept.
    tracking_digest = models.CharField("查询码摘要", max_length=64, blank=True, editable=False)
    # 好差评 (kernel/rating.py): one rating per case, whoever the kind lets rate it.
    rating = models.PositiveSmallIntegerField("评价", null=True, blank=True)
    rating_comment = models.CharField("评价意见", max_length=500, blank=True)
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)
    parent = models.ForeignKey("self", verbose_name="上级事项", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    version = models.PositiveIntegerField("版本", default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "事项"
        verbose_name_plural = "事项"
        indexes = [
            # A phase of a kind, and a one-state tab of a kind's list newest first (events.queries.in_states):
            # the id orders equal times as the lists do, so the walk needs no sort.
            models.Index(fields=["kind", "state", "-opened_at", "-id"], name="case_kind_state_opened"),
            # A kind's list, newest first (tasks_for, calls_for): walked until the page is full.
            models.Index(fields=["kind", "-opened_at", "-id"], name="case_kind_opened"),
            models.Index(fields=["area", "-opened_at"], name="case_area_opened"),
            # The figures of a jurisdiction (events.analysis, kernel.scoping.jurisdiction_cases):
            # one kind, the jurisdiction's areas, a period reported or closed — the second also
            # "still open among those reported" and "closed as 办结" without reading the rows. SQLite
            # cannot use the partial indexes of events 0002 when the kind is a bound parameter (issue 11).
            # The area leads: a query naming only the kind (the event list's tab counts) must not
            # walk these in area order, testing visibility case by case.
            models.Index(fields=["area", "kind", "opened_at"], name="case_area_kind_opened"),
            models.Index(fields=["area", "kind", "closed_at", "opened_at", "state"], name="case_area_kind_closed"),
            models.Index(fields=["owner_unit", "state"], name="case_owner_state"),
            models.Index(fields=["number"], name="case_number"),
            models.Index(fields=["due_at"], name="case_open_due", condition=models.Q(closed_at__isnull=True)),
            # Everything the open-work figures read — the list's tab badges by state, the command
            # screen's open / overdue / due-soon / waiting and its open-by-place — for the open
            # cases only (a few per cent of the rows), so PostgreSQL counts them from the index
            # instead of visiting one heap page per open case (a township's badges 18 -> 5.5 ms,
            # the county's open figures 114 -> under 20 ms at 1,000,000 events, issue 11). The id
            # is there for COUNT(id), which PostgreSQL cannot answer from an index without it. So
            # is closed_at, null in every row, for SQLite: without it SQLite took case_area_kind_closed,
            # which names three of the query's equalities where this named two, and read the open
            # rows from the table (the county's open figures at 100,000 events 3.0 -> 0.4 ms).
            models.Index(
                fields=["area", "kind", "closed_at", "state", "opened_at", "due_at", "paused_at", "id"], name="case_open_figures",
                condition=models.Q(closed_at__isnull=True),
            ),
            # A kind's open cases newest first, stopping at the map's limit (events.analysis.map_points):
            # without it SQLite walked case_kind_opened through every case ever reported to find
            # the open ones — 2.3 s for the county's map with ten years behind it (issue 11). The
            # area is there to test the jurisdiction without reading the row.
            models.Index(fields=["kind", "-opened_at", "-id", "area"], name="case_open_newest", condition=models.Q(closed_at__isnull=True)),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(kind=""), name="case_kind_set"),
            models.UniqueConstraint(
                fields=["kind", "channel", "external_id"], condition=~models.Q(external_id=""), name="case_external_unique"
            ),
            models.CheckConstraint(condition=~models.Q(state=""), name="case_state_set"),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5), name="case_rating_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number or self.pk} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    @property
    def is_overdue(self) -> bool:
        return self.is_open and not self.is_paused and self.due_at is not None and self.due_at < timezone.now()

    @property
    def state_label(self) -> str:
        from .workflow import workflow_for

        return workflow_for(self.kind).state_label(self.state)

    @property
    def kind_label(self) -> str:
        from .workflow import workflow_for

        return workflow_for(self.kind).label


class Extension(models.Model):
    """A request for more time on a case, decided by a leader (kernel/extensions.py)."""

    class State(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        DENIED = "denied", "未批准"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="extensions")
    amount = models.PositiveSmallIntegerField("延期时长")
    reason = models.CharField("理由", max_length=500)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=models.Q(state="pending"), name="case_extension_one_pending"),
        ]


class Party(models.Model):
    """当事人: a person or an organisation, registered once per county and linked to cases with a
    role (CaseParty). The identifier — a citizen ID number (GB 11643) for a person, a unified
    social credit code (GB 32100) for an organisation — and the phone are sealed by kernel.pii:
    ciphertext, keyed digest (the only thing a search compares) and mask. See kernel/PARTIES.md."""

    class Kind(models.TextChoices):
        PERSON = "person", "个人"
        ORGANISATION = "organisation", "单位"

    county = models.ForeignKey("areas.Area", verbose_name="县", on_delete=models.PROTECT, related_name="+", limit_choices_to={"level": "county"})
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    name = models.CharField("姓名或名称", max_length=100)
    id_number_cipher = models.TextField(blank=True, editable=False)
    id_number_digest = models.CharField(max_length=64, blank=True, editable=False)
    id_number_masked = models.CharField("证件号码", max_length=18, blank=True, editable=False)
    # A landline (the hotline's callers) is kept masked only: pii seals mobiles alone.
    phone_cipher = models.TextField(blank=True, editable=False)
    phone_digest = models.CharField(max_length=64, blank=True, editable=False)
    phone_masked = models.CharField("联系电话", max_length=20, blank=True, editable=False)
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "当事人"
        verbose_name_plural = "当事人"
        constraints = [
            models.UniqueConstraint(fields=["county", "id_number_digest"], condition=~models.Q(id_number_digest=""), name="party_once_per_county"),
            models.CheckConstraint(condition=~models.Q(name=""), name="party_name_set"),
        ]
        indexes = [models.Index(fields=["phone_digest"], condition=~models.Q(phone_digest=""), name="party_phone")]

    def __str__(self) -> str:
        return self.name


class CaseParty(models.Model):
    """A party's part in one case. An agent acts for another party of the same case."""

    class Role(models.TextChoices):
        REPORTER = "reporter", "上报人"
        APPLICANT = "applicant", "申请人"
        PARTY = "party", "当事人"
        PETITIONER = "petitioner", "信访人"
        AGENT = "agent", "代理人"

    case = models.ForeignKey(Case, verbose_name="事项", on_delete=models.CASCADE, related_name="parties")
    party = models.ForeignKey(Party, verbose_name="当事人", on_delete=models.PROTECT, related_name="cases")
    role = models.CharField("身份", max_length=16, choices=Role.choices)
    acting_for = models.ForeignKey("self", verbose_name="代理对象", null=True, blank=True, on_delete=models.PROTECT, related_name="agents")
    linked_at = models.DateTimeField("登记时间", default=timezone.now)
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "事项当事人"
        verbose_name_plural = "事项当事人"
        constraints = [
            models.UniqueConstraint(fields=["case", "party", "role"], name="caseparty_once_per_role"),
            models.CheckConstraint(
                condition=models.Q(role="agent", acting_for__isnull=False) | (~models.Q(role="agent") & models.Q(acting_for__isnull=True)),
                name="caseparty_agent_acts_for_someone",
            ),
        ]
        indexes = [models.Index(fields=["party"], name="caseparty_party")]


class Assignment(models.Model):
    """Who must act on which case, by when: one row per piece of work, for every kind of case.

    Addressed to a unit (anyone there holding `role`, or anyone if role is blank) or to one person."""

    class State(models.TextChoices):
        OPEN = "open", "待办"
        DONE = "done", "已办"
        CANCELLED = "cancelled", "已撤销"

    case = models.ForeignKey(Case, verbose_name="事项", on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey("units.Unit", verbose_name="承办单位", on_delete=models.PROTECT, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="承办人", null=True, blank=True, on_delete=models.PROTECT, related_name="assignments"
    )
    role = models.CharField("承办角色", max_length=32, blank=True)
    todo = models.CharField("待办事项", max_length=32)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.OPEN)
    due_at = models.DateTimeField("办理期限", null=True, blank=True)
    due_uncertain = models.BooleanField("期限待确认", default=False)
    created_at = models.DateTimeField("派发时间", default=timezone.now)
    done_at = models.DateTimeField("办理时间", null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Supervision of this piece of work by its own deadline (kernel/supervision.py): its card, since
    # when, and how far up the ladder it has been told — 1 the holders, 2 also their leaders,
    # 3 also the county supervision office (督查室); each rung once.
    alert = models.CharField("督办", max_length=8, choices=[("", "正常"), ("yellow", "黄牌"), ("red", "红牌")], blank=True, default="")
    alert_since = models.DateTimeField("督办时间", null=True, blank=True)
    alert_rung = models.PositiveSmallIntegerField("已通知至", default=0)

    class Meta:
        verbose_name = "待办"
        verbose_name_plural = "待办"
        indexes = [
            # The sweep: open work not carded yet, by deadline (only those due within the warning
            # period are read), and carded open work by card, rung and deadline (the office's page).
            models.Index(fields=["due_at"], name="assignment_open_uncarded", condition=models.Q(state="open", alert="")),
            models.Index(fields=["alert", "alert_rung", "due_at", "id"], name="assignment_open_carded", condition=models.Q(state="open") & ~models.Q(alert="")),
            # The inbox: open work of a unit or a person, soonest deadline first.
            models.Index(fields=["unit", "due_at"], name="assignment_open_unit_due", condition=models.Q(state="open")),
            models.Index(fields=["user", "due_at"], name="assignment_open_user_due", condition=models.Q(state="open")),
            models.Index(fields=["case", "state"], name="assignment_case_state"),
        ]

    def __str__(self) -> str:
        return f"{self.case} → {self.unit}"

    @property
    def is_overdue(self) -> bool:
        return self.state == self.State.OPEN and self.due_at is not None and self.due_at < timezone.now()


class SentOutside(models.Model):
    """A case sent to a unit whose own area does not hold it: another township's event sent to a
    command centre, say; never a county department's (the county holds every case of it). Of the
    visibility rule's "sent to one of my units", the part that a jurisdiction's areas do not
    already give; kept (kernel.assignments.note_sent_outside) so that counting a person's cases by
    state reads two indexes instead of testing every case's assignments (kernel.scoping.
    counting_parts, issue 11). A unit's area changes only by an area change (区划调整,
    areas/changes.py), which deletes the unit's rows and writes them again with
    note_sent_outside(unit_ids=…)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    # The case's, which never changes: a count names the kind here, so that SQLite starts from these
    # few rows rather than from the kind's index on kernel_case (docs/PERFORMANCE.md).
    kind = models.CharField(max_length=32)

    class Meta:
        verbose_name = "跨区划派发"
        verbose_name_plural = "跨区划派发"
        constraints = [models.UniqueConstraint(fields=["unit", "case"], name="sentoutside_unique")]


class JournalEntry(models.Model):
    """One line of the full-process record (全过程记录). Append-only and hash-chained: each entry
    carries the hash of the one before it in its chain, so an altered or deleted row shows.
    Chains are kept per township (and one for county-level records) so that busy townships do
    not queue behind each other; see kernel/JOURNAL.md."""

    chain = models.CharField("链", max_length=32)
    seq = models.PositiveBigIntegerField("序号")
    case = models.ForeignKey(Case, verbose_name="事项", null=True, blank=True, on_delete=models.PROTECT, related_name="journal")
    subject = models.CharField("对象", max_length=64, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField("操作人", max_length=64, blank=True)
    verb = models.CharField("操作", max_length=32)
    summary = models.CharField("摘要", max_length=200, blank=True)
    from_state = models.CharField("原状态", max_length=32, blank=True)
    to_state = models.CharField("新状态", max_length=32, blank=True)
    note = models.TextField("说明", blank=True)
    data = models.JSONField("数据", default=dict, blank=True)
    created_at = models.DateTimeField("时间")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "全过程记录"
        verbose_name_plural = "全过程记录"
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="journal_chain_seq_unique")]
        indexes = [
            models.Index(fields=["case", "seq"], name="journal_case_seq"),
            models.Index(fields=["subject"], name="journal_subject", condition=~models.Q(subject="")),
        ]


class JournalHead(models.Model):
    """The newest entry of each chain: the row an appender locks, and the anchor that reveals a
    deleted last entry. Its seal (HMAC under the journal key) makes winding it back detectable;
    entries from `keyed_from` on carry keyed digests, those before it plain SHA-256 (JOURNAL.md)."""

    chain = models.CharField(max_length=32, primary_key=True)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)
    keyed_from = models.PositiveBigIntegerField(null=True)
    seal = models.CharField(max_length=64, default="")


class NumberSeries(models.Model):
    """The last number given in a series of one unit in one year; numbers are gapless because the
    increment commits or rolls back with the record that uses it."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    series = models.CharField("序列", max_length=32)
    year = models.PositiveSmallIntegerField("年度")
    last = models.PositiveIntegerField("已用至", default=0)

    class Meta:
        verbose_name = "编号序列"
        verbose_name_plural = "编号序列"
        constraints = [models.UniqueConstraint(fields=["unit", "series", "year"], name="numberseries_unique")]


class Blob(models.Model):
    """File content, stored once under its SHA-256 whatever name it was uploaded with."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    size = models.PositiveBigIntegerField("大小")
    content_type = models.CharField("类型", max_length=100)
    created_at = models.DateTimeField(default=timezone.now)


class Attachment(models.Model):
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="attachments")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField("文件名", max_length=200)
    purpose = models.CharField("用途", max_length=32, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        indexes = [models.Index(fields=["case", "uploaded_at"], name="attachment_case")]


class NotificationKind(models.TextChoices):
    """What a message is about; each person chooses per kind where it reaches them (消息接收设置)."""

    NEW_WORK = "new_work", "新待办"
    SUPERVISION = "supervision", "督办/催办"
    RESULT = "result", "办结/结果"
    FOLLOW_UP = "follow_up", "回访/评价"
    WARNING = "warning", "预警"
    SYSTEM = "system", "系统"


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("类别", max_length=16, choices=NotificationKind.choices, default=NotificationKind.SYSTEM)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "消息"
        verbose_name_plural = "消息"
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_user_new"),
            models.Index(fields=["user"], name="notification_user_unread", condition=models.Q(read_at__isnull=True)),
        ]


class NotificationChannels(models.Model):
    """One person's channels besides the in-app list (消息接收设置, kernel/NOTIFY.md): an e-mail
    address and a group robot's webhook, sealed like other personal data (kernel/pii.py) and
    shown masked, and per kind of message the channels the person wants (`wanted`: kind → list of
    channel codes; a kind not named is in-app only)."""

    class Robot(models.TextChoices):
        WECOM = "wecom", "政务微信/企业微信群机器人"
        DINGTALK = "dingtalk", "钉钉群机器人"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_channels")
    email_cipher = models.TextField(blank=True, editable=False)
    email_masked = models.CharField("电子邮件", max_length=254, blank=True, editable=False)
    robot = models.CharField("机器人类型", max_length=16, choices=Robot.choices, blank=True)
    webhook_cipher = models.TextField(blank=True, editable=False)
    webhook_masked = models.CharField("机器人地址", max_length=120, blank=True, editable=False)
    webhook_secret_cipher = models.TextField(blank=True, editable=False)
    wanted = models.JSONField("按类别选择的渠道", default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "消息接收设置"
        verbose_name_plural = "消息接收设置"


class Delivery(models.Model):
    """One message on its way out through one channel: queued when the action commits, tried by
    the job queue, retried with back-off up to a cap (settings.NOTIFY_RETRY_MINUTES); failures are
    listed for the system administrator (kernel/NOTIFY.md)."""

    class Channel(models.TextChoices):
        EMAIL = "email", "电子邮件"
        WEBHOOK = "webhook", "群机器人"

    class State(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已送达"
        RETRYING = "retrying", "重试中"
        FAILED = "failed", "发送失败"

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField("渠道", max_length=16, choices=Channel.choices)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField("已尝试次数", default=0)
    last_error = models.CharField("最近一次错误", max_length=500, blank=True)
    next_try_at = models.DateTimeField("下次尝试", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "消息投递"
        verbose_name_plural = "消息投递"
        indexes = [
            # The retry sweep: what is due, oldest first, among the few not yet delivered.
            models.Index(fields=["next_try_at"], name="delivery_due", condition=models.Q(state__in=["pending", "retrying"])),
            # The system administrator's list of troubled deliveries, newest first.
            models.Index(fields=["-id"], name="delivery_troubled", condition=models.Q(state__in=["retrying", "failed"])),
        ]


class SupervisionPolicy(models.Model):
    """A county's time settings for the case services every kind shares, editable by the county
    administrator: the supervision thresholds (督办) and the response time of a call (乡呼县应).

    The documents set no number of hours for 督办; 24 hours' warning matches the workbench's
    "due within 24 hours" count, and a county may change it. Seed 003 三(二) asks departments to
    respond to a township's call and solve it within a limit (健全联动响应制度, 限期化解) but names
    no number of hours either: 2 hours is the platform's default, as when the setting was the
    events' (EventPolicy, until events 0015), and 1–72 the range a county chooses from."""

    county = models.OneToOneField("areas.Area", verbose_name="县", on_delete=models.CASCADE, related_name="+", limit_choices_to={"level": "county"})
    yellow_hours = models.PositiveSmallIntegerField("黄牌提前量(小时)", default=24)
    notify_leader_on_red = models.BooleanField("红牌通知领导", default=True)
    call_acknowledge_hours = models.PositiveSmallIntegerField("乡呼县应响应时限(小时)", default=2)
    # The ladder (kernel/SUPERVISION.md): red work still red this many working days after its
    # deadline reaches the county's supervision office (督查室), a unit of the county the
    # administrator names; a 督办单 is answered within notice_answer_days working days.
    office = models.ForeignKey("units.Unit", verbose_name="督查室", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    office_after_days = models.PositiveSmallIntegerField("红牌报督查室(工作日)", default=2)
    notice_answer_days = models.PositiveSmallIntegerField("督办单反馈时限(工作日)", default=1)
    # Whether those hours are office hours on working days (deadlines.add_working_hours) rather
    # than the clock's: a call made on Friday evening is then due on Monday morning.
    call_working_hours = models.BooleanField("乡呼县应响应时限按工作时间计", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "督办设置"
        verbose_name_plural = "督办设置"
        constraints = [
            models.CheckConstraint(condition=models.Q(yellow_hours__gte=1, yellow_hours__lte=720), name="supervision_yellow_range"),
            models.CheckConstraint(condition=models.Q(call_acknowledge_hours__gte=1, call_acknowledge_hours__lte=72), name="supervision_call_acknowledge_range"),
            models.CheckConstraint(condition=models.Q(office_after_days__gte=1, office_after_days__lte=30), name="supervision_office_after_range"),
            models.CheckConstraint(condition=models.Q(notice_answer_days__gte=1, notice_answer_days__lte=10), name="supervision_notice_answer_range"),
        ]


class NoticeAnswer(models.Model):
    """The answer (反馈) a handling unit owes to a 督办单: made with the notice, with the
    "answer the notice" assignment it waits on; the text and time are filled in when answered."""

    notice = models.ForeignKey("Document", verbose_name="督办单", on_delete=models.PROTECT, related_name="answers")
    assignment = models.OneToOneField(Assignment, verbose_name="待办", on_delete=models.PROTECT, related_name="notice_answer")
    text = models.TextField("反馈内容", blank=True)
    answered_at = models.DateTimeField("反馈时间", null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "督办反馈"
        verbose_name_plural = "督办反馈"


class CalendarDay(models.Model):
    """A day whose status differs from the ordinary week, entered by the county: a statutory
    holiday on a weekday, or a make-up working day (调休) on a weekend. Overrides the package."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "休息日(节假日)"
        WORKDAY = "workday", "工作日(调休上班)"

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    name = models.CharField("名称", max_length=32, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "节假日调整"
        verbose_name_plural = "节假日调整"
        ordering = ["date"]


class CalendarYear(models.Model):
    """A year whose holiday notice the county has entered in full, for years the calendar
    package does not cover yet. Until then deadlines in that year are flagged uncertain."""

    year = models.PositiveSmallIntegerField("年度", primary_key=True)
    source = models.CharField("依据", max_length=200, help_text="如：国务院办公厅关于2027年部分节假日安排的通知")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "已确认年度"
        verbose_name_plural = "已确认年度"


class DocumentTemplate(models.Model):
    """A county's wording of one kind of document (文书). Without a row the kind's default is used.

    Title and body are plain text with {field} placeholders from the kind's declared fields only;
    see kernel/DOCUMENTS.md. `version` lets two administrators editing at once find out."""

    county = models.ForeignKey("areas.Area", verbose_name="县", on_delete=models.CASCADE, related_name="+", limit_choices_to={"level": "county"})
    kind = models.CharField("文书类型", max_length=32)
    title = models.CharField("标题", max_length=60)
    body = models.TextField("正文")
    version = models.PositiveIntegerField("版本", default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "文书模板"
        verbose_name_plural = "文书模板"
        constraints = [models.UniqueConstraint(fields=["county", "kind"], name="documenttemplate_county_kind_unique")]


class Document(models.Model):
    """A numbered document generated from a case as PDF. The PDF itself is an Attachment of the
    case (stored once under its SHA-256); the template text it was made from is kept here, so the
    wording in force that day can be read after the county changes it."""

    case = models.ForeignKey(Case, verbose_name="事项", on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField("文书类型", max_length=32)
    title = models.CharField("标题", max_length=200)
    number = models.CharField("文号", max_length=64)
    unit = models.ForeignKey("units.Unit", verbose_name="发文单位", on_delete=models.PROTECT, related_name="+")
    series = models.CharField("编号序列", max_length=32)
    year = models.PositiveSmallIntegerField("年度")
    seq = models.PositiveIntegerField("顺序号")
    attachment = models.OneToOneField(Attachment, verbose_name="PDF", on_delete=models.PROTECT, related_name="document")
    template_title = models.CharField("模板标题", max_length=60)
    template_body = models.TextField("模板正文")
    template_sha256 = models.CharField("模板摘要", max_length=64)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField("出具时间", default=timezone.now)

    class Meta:
        verbose_name = "文书"
        verbose_name_plural = "文书"
        indexes = [models.Index(fields=["case", "-issued_at"], name="document_case_issued")]
        constraints = [
            # The last defence behind numbering.next_number: a number is never given twice.
            models.UniqueConstraint(fields=["unit", "series", "year", "seq"], name="document_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.number}"


class Rework(models.Model):
    """返工: one row each time a case goes back to the unit that handled it — a failed on-the-spot
    verification, or a closed case reopened (kernel/rework.py). The figures of a unit (返工率,
    一次办结率: seed 004 §三 督查考核) count these rows; the journal tells the story."""

    class Reason(models.TextChoices):
        VERIFY_FAIL = "verify_fail", "核查不通过"
        REOPEN = "reopen", "重新办理"

    case = models.ForeignKey(Case, verbose_name="事项", on_delete=models.PROTECT, related_name="reworks")
    unit = models.ForeignKey("units.Unit", verbose_name="返工单位", on_delete=models.PROTECT, related_name="reworks")
    reason = models.CharField("返工原因", max_length=16, choices=Reason.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField("说明", max_length=2000, blank=True)
    at = models.DateTimeField("返工时间", default=timezone.now)

    class Meta:
        verbose_name = "返工"
        verbose_name_plural = "返工"
        indexes = [
            # A unit's rework in a period (the figures of events.analysis.quality).
            models.Index(fields=["unit", "at"], name="rework_unit_at"),
        ]

    def __str__(self) -> str:
        return f"{self.case} 返工 {self.unit}"


class FollowUp(models.Model):
    """回访: a call back to the reporter of a case, for any kind (kernel/followups.py): after a
    差评, as a sample of closed cases (回访率), or to confirm the result where no one checked it on
    the spot. Against a deadline, in the inbox of whoever the kind names; what the call found is
    kept here, and its end is either the case reopened or the follow-up closed with a reason."""

    class Reason(models.TextChoices):
        DISSATISFIED = "dissatisfied", "差评回访"
        SAMPLE = "sample", "抽样回访"
        CONFIRM = "confirm", "办结确认"

    class State(models.TextChoices):
        OPEN = "open", "待回访"
        DONE = "done", "已结束"

    class Outcome(models.TextChoices):
        REOPENED = "reopened", "已重新办理"
        CLOSED = "closed", "已结束回访"
        CONFIRMED = "confirmed", "群众确认已解决"
        DENIED = "denied", "群众反映未解决"

    case = models.ForeignKey(Case, verbose_name="事项", on_delete=models.PROTECT, related_name="follow_ups")
    reason = models.CharField("回访原因", max_length=16, choices=Reason.choices)
    state = models.CharField("状态", max_length=8, choices=State.choices, default=State.OPEN)
    rating = models.PositiveSmallIntegerField("触发的评价", null=True, blank=True)
    opened_at = models.DateTimeField("发起时间", default=timezone.now)
    due_at = models.DateTimeField("回访期限", null=True, blank=True)
    # What the call found (the dispatcher records it; a citizen confirming online records no call).
    called = models.BooleanField("已拨打", null=True, blank=True)
    reached = models.BooleanField("已接通", null=True, blank=True)
    words = models.CharField("群众意见", max_length=500, blank=True)
    outcome = models.CharField("结果", max_length=16, choices=Outcome.choices, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)
    done_at = models.DateTimeField("结束时间", null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="回访人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "回访"
        verbose_name_plural = "回访"
        constraints = [
            # One follow-up open per case: a second 差评 or a sample while one is open joins it.
            models.UniqueConstraint(fields=["case"], condition=models.Q(state="open"), name="followup_one_open_per_case"),
        ]
        indexes = [models.Index(fields=["case", "opened_at"], name="followup_case_opened")]

    def __str__(self) -> str:
        return f"{self.case} {self.get_reason_display()}"
class SubmitKey(models.Model):
    """A phone's key for one filled-in form (kernel.submits): the form may reach the server twice
    (sent offline, retried when the signal returns), the record it made is made once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.UUIDField()
    digest = models.CharField(max_length=64)  # sha256 of what was filed under the key
    target = models.CharField(max_length=64, blank=True)  # "app_label.model:pk" of the record made
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="submit_key_unique")]


class RetentionRule(models.Model):
    """How long a county keeps the archive packages of one kind of case (保管期限), for one service
    item or — with `item_code` blank — for the kind as a whole. County data, set on the console
    page 归档保管期限; kernel/ARCHIVE.md. `years` is null exactly when the period is permanent."""

    county = models.ForeignKey("areas.Area", verbose_name="县", on_delete=models.CASCADE, related_name="+", limit_choices_to={"level": "county"})
    kind = models.CharField("事项类型", max_length=32)
    item_code = models.CharField("事项编码", max_length=64, blank=True, help_text="留空表示该类型的默认期限")
    years = models.PositiveSmallIntegerField("保管年限", null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "归档保管期限"
        verbose_name_plural = "归档保管期限"
        constraints = [
            models.UniqueConstraint(fields=["county", "kind", "item_code"], name="retentionrule_unique"),
            models.CheckConstraint(condition=models.Q(years__isnull=True) | models.Q(years__gte=1), name="retentionrule_years_positive"),
        ]

    @property
    def label(self) -> str:
        return "永久" if self.years is None else f"{self.years}年"


class ArchivePackage(models.Model):
    """One archive package of a closed case (归档包): a zip of its files, documents, header and
    journal with a manifest of SHA-256 sums (kernel/archive.py, ARCHIVE.md). The manifest's SHA-256
    and its HMAC under the archive key are kept here, so an edit of both a file and the manifest
    is still caught by the system's check. A case gets a new version only when its record grew
    after the last one."""

    class State(models.TextChoices):
        PENDING = "pending", "打包中"
        READY = "ready", "已归档"
        FAILED = "failed", "打包失败"

    case = models.ForeignKey(Case, verbose_name="事项", on_delete=models.PROTECT, related_name="archive_packages")
    version = models.PositiveSmallIntegerField("版本")
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.PENDING)
    error = models.CharField("失败原因", max_length=500, blank=True)
    created_at = models.DateTimeField("申请时间", default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    packaged_at = models.DateTimeField("打包时间", null=True, blank=True)
    attachment = models.OneToOneField(Attachment, verbose_name="归档包文件", null=True, blank=True, on_delete=models.PROTECT, related_name="archive_package")
    sha256 = models.CharField("清单SHA-256", max_length=64, blank=True)
    seal = models.CharField("清单校验码(HMAC)", max_length=64, blank=True)
    size = models.PositiveBigIntegerField("大小", default=0)
    files = models.PositiveIntegerField("文件数", default=0)
    journal_upto = models.PositiveBigIntegerField("所含最后一条记录ID", default=0)
    retention_years = models.PositiveSmallIntegerField("保管年限", null=True, blank=True, help_text="空为永久")
    retain_until = models.DateField("保管至", null=True, blank=True)

    class Meta:
        verbose_name = "归档包"
        verbose_name_plural = "归档包"
        constraints = [models.UniqueConstraint(fields=["case", "version"], name="archivepackage_case_version_unique")]

    @property
    def retention_label(self) -> str:
        return "永久" if self.retention_years is None else f"{self.retention_years}年"
