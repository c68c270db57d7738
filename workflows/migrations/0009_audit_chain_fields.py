"""The audit trail's hash chain and the client's request id: columns first, nullable until filled (0009)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("workflows", "0008_api_token")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="client_request_id",
            field=models.CharField(blank=True, default="", max_length=64, verbose_name="客户端请求编号"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(editable=False, null=True, verbose_name="链序号"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="上一条哈希"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="哈希"),
            preserve_default=False,
        ),
    ]
