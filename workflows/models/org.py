"""Organisation units, employer units, members and the roles they hold in a unit."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..roles import Role

PATH_STEP = 6  # width of one level in OrgUnit.path: "000001/000004/"


class OrgUnit(models.Model):
    """A union body.  The tree is 上级工会 → 基层工会 → 分会/小组.

    ``path`` is a materialised path of zero-padded ids, so "this unit and everything below it"
    is one indexed ``LIKE 'prefix%'`` in SQL.
    """

    class Kind(models.TextChoices):
        UPPER = "upper", _("上级工会")
        BASE = "base", _("基层工会")
        BRANCH = "branch", _("分会")
        GROUP = "group", _("工会小组")

    name = models.CharField(_("名称"), max_length=100)
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(_("路径"), max_length=255, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(_("层级"), editable=False, default=0)

    class Meta:
        verbose_name = _("组织单位")
        verbose_name_plural = _("组织单位")
        ordering = ["path"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.parent_id and self.parent_id == self.pk:
            raise ValueError("An org unit cannot be its own parent")
        if self.pk is None:
            super().save(*args, **kwargs)
            kwargs.pop("force_insert", None)
            kwargs["update_fields"] = None
        old_path = self.path
        parent_path = self.parent.path if self.parent_id else ""
        if old_path and parent_path.startswith(old_path):
            raise ValueError("An org unit cannot be moved below its own descendant")
        self.path = self._own_path(parent_path)
        self.depth = self.path.count("/") - 1
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            # A moved unit carries its subtree with it.
            for unit in OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
                unit.path = self.path + unit.path[len(old_path) :]
                unit.depth = unit.path.count("/") - 1
                super(OrgUnit, unit).save(update_fields=["path", "depth"])

    def _own_path(self, parent_path):
        return f"{parent_path}{self.pk:0{PATH_STEP}d}/"

    def subtree(self):
        """This unit and all units below it."""
        return OrgUnit.objects.filter(path__startswith=self.path)

    def ancestors(self, include_self=True):
        ids = [int(part) for part in self.path.strip("/").split("/") if part]
        if not include_self:
            ids = ids[:-1]
        return OrgUnit.objects.filter(pk__in=ids)


class EmployerUnit(models.Model):
    """An employer (企业/单位) whose workers the union represents."""

    class Size(models.TextChoices):
        MICRO = "micro", _("微型（20人以下）")
        SMALL = "small", _("小型（20–299人）")
        MEDIUM = "medium", _("中型（300–999人）")
        LARGE = "large", _("大型（1000人以上）")

    name = models.CharField(_("单位名称"), max_length=120)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    industry = models.CharField(_("行业"), max_length=40)
    size = models.CharField(_("规模"), max_length=10, choices=Size.choices)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("所属工会"), on_delete=models.PROTECT, related_name="employers"
    )

    class Meta:
        verbose_name = _("用人单位")
        verbose_name_plural = _("用人单位")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "name"], name="employer_unit_unique_name_per_union"),
        ]

    def __str__(self):
        return self.name


class Member(models.Model):
    """A worker known to the union: the profile beside the login."""

    class Membership(models.TextChoices):
        MEMBER = "member", _("会员")
        NON_MEMBER = "non_member", _("非会员")
        APPLYING = "applying", _("申请入会中")
        LEFT = "left", _("已退会")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member")
    employee_no = models.CharField(_("工号"), max_length=30)
    department = models.CharField(_("部门"), max_length=60, blank=True)
    employer_unit = models.ForeignKey(
        EmployerUnit, verbose_name=_("用人单位"), on_delete=models.PROTECT, related_name="members"
    )
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("所属工会"), on_delete=models.PROTECT, related_name="members")
    membership = models.CharField(_("会员状态"), max_length=12, choices=Membership.choices, default=Membership.MEMBER)
    joined_on = models.DateField(_("入会日期"), null=True, blank=True)
    is_representative = models.BooleanField(_("职工代表"), default=False)
    is_model_worker = models.BooleanField(_("劳模"), default=False)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("职工")
        verbose_name_plural = _("职工")
        constraints = [
            models.UniqueConstraint(fields=["employer_unit", "employee_no"], name="member_unique_employee_no"),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        return self.user.get_full_name() or self.user.username


class RoleAssignment(models.Model):
    """A user holds a role in an org unit; the role reaches that unit and every unit below it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices)
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("组织单位"), on_delete=models.CASCADE, related_name="roles")
    granted_at = models.DateTimeField(_("授予时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "org_unit"], name="role_assignment_unique"),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.org_unit}"
