"""The site collects and serves the static files its pages use, and only those."""

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.finders import AppDirectoriesFinder as DjangoAppDirectoriesFinder


def test_the_site_collects_the_static_its_pages_use_and_not_viewflows_frontend():
    assert finders.find("css/unionflow.css")
    assert finders.find("admin/css/base.css")
    assert finders.find("rest_framework/css/bootstrap.min.css")
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    unused = "viewflow/fonts/roboto/roboto-fontface.css"  # names font files viewflow does not ship
    assert DjangoAppDirectoriesFinder().find(unused)
    assert not finders.find(unused)
