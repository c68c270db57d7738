from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """No models: it gives ``manage.py generate_scale_data``, which writes every domain's records
    and so belongs to no single domain app (and not to the engine, which imports none)."""

    name = "benchmarks"
    verbose_name = "Benchmarks"
