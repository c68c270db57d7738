"""Close a period and write its 工作总结 from the shell, with a progress bar.

    python manage.py close_period [--unit CODE] [--period 2026H1] --out report.docx

With no unit or period it takes the top org unit and the latest period that has ended.
"""

import shutil
import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from summaries import services
from workflows.errors import WorkflowError
from workflows.models import OrgUnit, Period, RoleAssignment
from workflows.roles import Role


class Command(BaseCommand):
    help = "结账并生成工作总结（.docx）。"

    def add_arguments(self, parser):
        parser.add_argument("--unit", help="组织单位代码（默认：最上级工会）")
        parser.add_argument("--period", help="期间，如 2026H1、2026H2、2026FY（默认：最近一个已结束的期间）")
        parser.add_argument("--out", default="report.docx", help="输出的 .docx 文件")
        parser.add_argument("--as-user", help="以该用户（须为工会主席）的身份结账，默认取该单位的工会主席")

    def handle(self, *args, unit=None, period=None, out, as_user=None, **options):
        org_unit = (
            OrgUnit.objects.filter(code=unit).first()
            if unit
            else OrgUnit.objects.filter(parent=None).order_by("path").first()
        )
        if org_unit is None:
            raise CommandError(f"找不到组织单位：{unit or '（无）'}")
        periods = Period.objects.filter(org_unit=org_unit)
        if period:
            chosen = periods.filter(year=int(period[:4]), kind=period[4:].upper()).first()
        else:
            chosen = periods.filter(ends_on__lt=timezone.localdate()).exclude(kind="FY").order_by("-ends_on").first()
        if chosen is None:
            raise CommandError(f"{org_unit.name}没有期间{period or '（已结束的）'}。")
        actor = self._actor(org_unit, as_user)
        self.stdout.write(f"{org_unit.name} · {chosen.label} · {actor.get_full_name() or actor.username}")
        try:
            report = services.report_request(period=chosen, actor=actor, run=lambda pk: None)
        except WorkflowError as exc:
            raise CommandError(exc.message) from exc
        if report.status != report.Status.DONE:
            report = services.report_run(report.pk, on_progress=self._bar)
            self.stdout.write("")
        report.refresh_from_db()
        with report.document.open("rb") as source, open(out, "wb") as target:
            shutil.copyfileobj(source, target)
        workbook = out.rsplit(".", 1)[0] + ".xlsx"
        with report.workbook.open("rb") as source, open(workbook, "wb") as target:
            shutil.copyfileobj(source, target)
        self.stdout.write(self.style.SUCCESS(f"已生成：{out}（数据明细：{workbook}）"))

    def _actor(self, org_unit, username):
        users = get_user_model().objects
        if username:
            return users.get(username=username)
        holder = (
            RoleAssignment.objects.filter(role=Role.CHAIR, org_unit__in=org_unit.ancestors())
            .select_related("user")
            .first()
        )
        if holder is None:
            raise CommandError("该单位没有工会主席，请用 --as-user 指定。")
        return holder.user

    def _bar(self, stage, fraction):
        names = {"figures": "汇总数据", "charts": "绘制图表", "document": "生成文档", "finished": "完成"}
        base = {"figures": 0, "charts": 60, "document": 75, "finished": 100}[stage]
        span = {"figures": 60, "charts": 15, "document": 25, "finished": 0}[stage]
        percent = int(base + span * fraction)
        filled = percent // 4
        sys.stdout.write(f"\r[{'#' * filled}{'.' * (25 - filled)}] {percent:3d}% {names[stage]}   ")
        sys.stdout.flush()
