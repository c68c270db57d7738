from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .views import copies, health, pages, queue

urlpatterns = [
    path("", pages.dashboard, name="dashboard"),
    path("healthz/", health.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("tasks/bulk/", queue.task_bulk, name="task_bulk"),
    path("tasks/<int:pk>/", queue.task_detail, name="task_detail"),
    path("tasks/<int:pk>/<str:action>/", queue.task_action, name="task_action"),
    path("records/<str:label>/<int:pk>/urge/", queue.record_urge, name="record_urge"),
    path("records/<str:label>/<int:pk>/copy/", copies.record_copy, name="record_copy"),
    path("copies/<int:pk>/", copies.copy_open, name="copy_open"),
    path("copied/", copies.copied, name="copied"),
    path("consultations/<int:pk>/<str:action>/", queue.consultation_action, name="consultation_action"),
    path("tasks/box/<str:box>/", queue.task_list, name="task_list"),
    path("membership/", pages.membership_list, name="membership_list"),
    path("membership/apply/", pages.membership_apply, name="membership_apply"),
    path("membership/<int:pk>/", pages.membership_detail, name="membership_detail"),
    path("membership/<int:pk>/<str:action>/", pages.membership_action, name="membership_action"),
    path("attachments/<int:pk>/", pages.attachment_download, name="attachment_download"),
    path("notifications/", pages.notification_list, name="notification_list"),
    path("delegation/", pages.delegation_page, name="delegation"),
    path("mine/", pages.mine, name="mine"),
    path("filters/save/", pages.saved_filter_save, name="saved_filter_save"),
    path("filters/<int:pk>/delete/", pages.saved_filter_delete, name="saved_filter_delete"),
    path("delegation/<int:pk>/cancel/", pages.delegation_cancel, name="delegation_cancel"),
    path("notifications/read/", pages.notification_read, name="notification_read_all"),
    path("notifications/settings/", pages.notification_settings, name="notification_settings"),
    path("notifications/<int:pk>/read/", pages.notification_read, name="notification_read"),
    path("periods/", pages.period_list, name="period_list"),
    path("periods/<int:pk>/reopen/", pages.period_reopen, name="period_reopen"),
    path("cases/", include("cases.urls")),
    path("proposals/", include("proposals.urls")),
    path("aid/", include("aid.urls")),
    path("summaries/", include("summaries.urls")),
    path("api/v1/", include("workflows.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The schema answers 401 to a caller without a session or token; the docs page sends a browser
    # to the login page first.
    path(
        "api/docs/",
        login_required(SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api_docs.html")),
        name="api_docs",
    ),
    path("admin/", admin.site.urls),
]

# Under /api/ every error is the API's JSON shape; elsewhere the site's own pages.
handler400 = "workflows.api_errors.bad_request"
handler403 = "workflows.api_errors.permission_denied"
handler404 = "workflows.api_errors.page_not_found"
handler500 = "workflows.api_errors.server_error"
