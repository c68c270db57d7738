"""``manage.py generate_scale_data``: fill an empty, migrated database with a federation's data.

    manage.py generate_scale_data --cases 1000000 --aid 200000 --proposals 50000 \
        --units 20000 --open-tasks 100000 --seed 1

Deterministic (same options and seed → same rows; fixed dates 2021-01-01 … 2026-11-30, no now()).
See :mod:`benchmarks.scale_data` for what is generated and what is not.  ``manage.py verify_audit``
passes on the result.  Logins (password ``bench2026``), and where to find records for each
transition ("city 1" is the first 市总工会, org unit id 2; its 基层工会 have paths under
``000001/000002/``):

* ``bench_chair``: 工会主席 of the top unit (id 1) — 督办 (overseen) lists every open task;
  aid approve: ``aid/flows.AidFlow.approve`` tasks NEW in 可认领 (applications ``approving``,
  budget room left in every fund's 2026年下半年 budget); closes periods: 2026年上半年 is OPEN and
  ended.
* ``bench_committee``: 工会委员 of city 1 — 可认领 holds the NEW ``cases/flows.GrievanceFlow.review``
  tasks of cases ``registered`` under city 1 (claim, accept) and NEW ``AidFlow.review`` tasks;
  待办 holds review tasks already ASSIGNED to it (accept straight away); 已办 its DONE tasks.
* ``bench_mediator``: 调解员 of city 1 — 待办 holds ASSIGNED ``GrievanceFlow.mediate`` tasks of
  cases ``mediating`` with ``mediator=bench_mediator`` (record a session, extend, agree) and
  ``follow_up`` tasks of cases ``agreed``; 已办 holds DONE tasks; 可认领 the city's review pool.
* ``bench_finance``: 财务 of the top unit (and city 1's finance in the generated history) — 可认领
  holds NEW ``AidFlow.disburse`` tasks of ``approved`` applications (reserved in their budget).
* ``bench_worker``: a worker of city 1's first 基层工会 (member id 1) who filed some cases — file
  a new case as them.
* ``bench_rep``: 职工代表 of the same union (member id 2) — 待办 holds at least one ASSIGNED
  ``proposals/flows.ProposalFlow.feedback`` task (rate an answer); it proposed some proposals.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from benchmarks.scale_data import BENCH_PASSWORD, generate
from cases.models import GrievanceCase
from workflows.models import OrgUnit


class Command(BaseCommand):
    help = "生成大规模测试数据（基准测试用）：组织树、职工、案件、帮扶、提案、流程与任务、审计链。"

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=2000)
        parser.add_argument("--aid", type=int, default=400)
        parser.add_argument("--proposals", type=int, default=100)
        parser.add_argument("--units", type=int, default=40)
        parser.add_argument("--open-tasks", type=int, default=None, help="默认为案件数的十分之一")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--force", action="store_true", help="数据库非空时仍然写入（可能因主键冲突失败）")

    def handle(self, *args, cases, aid, proposals, units, open_tasks, seed, force, **options):
        if units < 4 or cases < 1:
            raise CommandError("--units 至少为 4，--cases 至少为 1。")
        if not force and (OrgUnit.objects.exists() or GrievanceCase.objects.exists()):
            raise CommandError("数据库不是空的：请在新建并迁移过的空数据库上运行，或加 --force。")
        open_tasks = cases // 10 if open_tasks is None else open_tasks
        start = time.perf_counter()
        with transaction.atomic():
            result = generate(
                cases=cases,
                aid=aid,
                proposals=proposals,
                units=units,
                open_tasks=open_tasks,
                seed=seed,
                out=self.stdout.write,
            )
        self.stdout.write(self.style.SUCCESS(f"done in {time.perf_counter() - start:.1f}s"))
        for name in result["bench_users"]:
            self.stdout.write(f"  login {name} / {BENCH_PASSWORD}")
