from django.urls import path

from . import views

app_name = "summaries"

urlpatterns = [
    path("", views.dashboard, name="live"),
    path("close/", views.close_list, name="close"),
    path("close/<int:period_pk>/", views.close_preview, name="close_preview"),
    path("reports/<int:pk>/", views.report_page, name="report"),
    path("reports/<int:pk>/versions/", views.report_versions, name="versions"),
    path("reports/<int:pk>/versions/restore/", views.report_restore, name="restore"),
    path("reports/<int:pk>/progress/", views.report_progress, name="progress"),
    path("reports/<int:pk>/reopen/", views.report_reopen, name="reopen"),
    path("reports/<int:pk>/retry/", views.report_retry, name="retry"),
    path("reports/<int:pk>/figures/<str:section>/<str:figure>/", views.figure_records, name="figure_records"),
    path("reports/<int:pk>/file.<str:kind>", views.report_file, name="file"),
]
