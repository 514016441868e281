from datetime import datetime, timedelta

from django.utils import timezone
from ninja import Field, Router, Schema, Status

from zhenjie.api.schemas import ERRORS, AreaBrief, ErrorOut, UnitBrief
from zhenjie.kernel.errors import Forbidden

from . import second_factor
from .gate import require_settled
from .login import log_in
from .policy import current_policy
from .queries import my_posts

router = Router(tags=["认证与用户"])


class TokenIn(Schema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=256)
    otp: str | None = Field(None, max_length=16, description="已绑定身份验证器的账号须提供动态口令(或一个恢复码)")


class TokenOut(Schema):
    token: str
    expires_at: datetime


@router.post("/auth/token", auth=None, response={200: TokenOut, **ERRORS, 429: ErrorOut}, summary="用户名和密码换取令牌")
def issue_token(request, payload: TokenIn):
    """已绑定身份验证器的账号须同时提供 otp；系统管理员、安全管理员、安全审计员须先在网页绑定。
    初始密码或已过期的密码须先在网页修改(403 auth.password_change_required / auth.password_expired)。
    同一账号在同一地址连续失败、或同一地址失败合计达到安全策略上限，将暂停登录并返回 429(与网页登录共用计数)。"""
    from .models import ApiToken

    user = log_in(request, payload.username, payload.password, channel="api")
    require_settled(user)  # no token for an initial or expired password: change it first
    step = second_factor.step_after_password(user)
    if step == second_factor.ENROL:
        raise Forbidden("auth.otp_enrol_required", "您的岗位须使用双因素认证，请先在网页绑定手机身份验证器")
    if step == second_factor.VERIFY:
        if not payload.otp:
            raise Forbidden("auth.otp_required", "请同时提供手机身份验证器上的动态口令(otp)", field="otp")
        second_factor.verify(None, user, payload.otp, channel="api")
    row, token = ApiToken.issue(user, timedelta(hours=current_policy().token_lifetime_hours))
    return {"token": token, "expires_at": row.expires_at}


@router.post("/auth/revoke", response={204: None, **ERRORS}, summary="注销当前令牌")
def revoke_token(request):
    token = getattr(request, "api_token", None)
    if token is not None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return Status(204, None)


class RoleOut(Schema):
    code: str
    label: str


class PostOut(Schema):
    id: int
    title: str
    unit: UnitBrief
    roles: list[RoleOut]
    jurisdiction: AreaBrief | None

    @staticmethod
    def resolve_roles(post):
        return [{"code": role.code, "label": role.label} for role in post.roles.all()]


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    kind: str
    posts: list[PostOut]


@router.get("/me", response={200: MeOut, **ERRORS}, summary="当前用户及其岗位、辖区")
def me(request):
    user = request.auth
    return {"id": user.pk, "username": user.username, "full_name": user.full_name, "kind": user.kind, "posts": list(my_posts(user))}
