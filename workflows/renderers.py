"""DRF's browsable API under the site's Content-Security-Policy."""

import base64
import hashlib

from rest_framework import renderers

# The one inline style DRF's page template has, on its "Extra Actions" and "Filters" buttons.
DRF_BUTTON_STYLE = "float: right; margin-right: 10px"


def csp_hash(text):
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """The browsable API without inline styles the policy refuses.

    DRF's page has two: Pygments' stylesheet as a ``<style>`` (dropped: nothing on these pages is
    highlighted) and one ``style=""`` on its buttons, allowed on these pages only by its hash.
    """

    def get_context(self, *args, **kwargs):
        context = super().get_context(*args, **kwargs)
        context["code_style"] = None
        return context

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # What django-csp's @csp_update sets on a view's response, for the API's pages only.
        renderer_context["response"]._csp_update = {"style-src-attr": ["'unsafe-hashes'", csp_hash(DRF_BUTTON_STYLE)]}
        return super().render(data, accepted_media_type, renderer_context)
