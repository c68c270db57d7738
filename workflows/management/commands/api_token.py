"""Make, rotate, revoke or list the API tokens another system uses to call UnionFlow as USERNAME.

python manage.py api_token hotline --name "12351 热线系统"   prints a new token (shown only now)
python manage.py api_token hotline --rotate                revokes the user's tokens, prints a new one
python manage.py api_token hotline --revoke                revokes the user's tokens
python manage.py api_token hotline --list                  lists them (never the tokens themselves)
"""

import getpass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from workflows.api_tokens import api_token_issue, api_token_revoke
from workflows.errors import WorkflowError
from workflows.models import ApiToken


def _operator():
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # a container user with no passwd entry
        return "?"


class Command(BaseCommand):
    help = "为用户签发 API 令牌（只显示这一次），或轮换、吊销、列出其令牌。调用方发送 Authorization: Token <令牌>。"

    def add_arguments(self, parser):
        parser.add_argument("username", help="令牌代表的用户（其角色和范围即令牌的权限）")
        parser.add_argument("--name", default="", help="用途，例如调用它的系统")
        parser.add_argument("--days", type=int, default=365, help="有效天数（默认 365；0 表示不过期）")
        what = parser.add_mutually_exclusive_group()
        what.add_argument("--rotate", action="store_true", help="吊销该用户现有的全部令牌并签发一个新令牌")
        what.add_argument("--revoke", action="store_true", help="吊销该用户现有的全部令牌")
        what.add_argument("--list", action="store_true", help="列出该用户的令牌")

    def handle(self, *args, username, name, days, rotate, revoke, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户“{username}”不存在。")
        if days < 0:
            raise CommandError("--days 不能为负数。")
        tokens = ApiToken.objects.filter(user=user)
        via = f"manage.py api_token（系统账户 {_operator()}）"
        if options["list"]:
            self._list(tokens)
            return
        if revoke or rotate:
            count = api_token_revoke(tokens=tokens, via=via)
            self.stderr.write(f"已吊销 {username} 的 {count} 个令牌。")
            if revoke:
                return
        expires_at = timezone.now() + timedelta(days=days) if days else None
        try:
            row, token = api_token_issue(user=user, name=name, expires_at=expires_at, via=via)
        except WorkflowError as exc:
            raise CommandError(str(exc.message))
        expiry = timezone.localtime(expires_at).strftime("%Y-%m-%d") if expires_at else "不过期"
        self.stderr.write(f"已为 {username} 签发令牌 {row.shown}…（到期：{expiry}）。令牌只显示这一次，请妥善保存：")
        self.stdout.write(token)  # alone on stdout, so a script can capture it

    def _list(self, tokens):
        rows = tokens.order_by("-created_at")
        if not rows:
            self.stdout.write("（没有令牌）")
        for row in rows:
            state = "有效" if row.is_active else ("已吊销" if row.revoked_at else "已过期")
            used = timezone.localtime(row.last_used_at).strftime("%Y-%m-%d %H:%M") if row.last_used_at else "从未使用"
            expiry = timezone.localtime(row.expires_at).strftime("%Y-%m-%d") if row.expires_at else "不过期"
            self.stdout.write(f"{row.shown}…  {state}  {row.name or '-'}  到期 {expiry}  最近使用 {used}")
