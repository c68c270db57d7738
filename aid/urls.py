from django.urls import path

from . import views

app_name = "aid"

urlpatterns = [
    path("", views.application_list, name="list"),
    path("apply/", views.application_new, name="apply"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/<str:action>/", views.application_action, name="application_action"),
    path("publicity/", views.publicity, name="publicity"),
    path("publicity/<str:kind>/<int:pk>/object/", views.objection, name="object"),
    path("funds/", views.funds, name="funds"),
    path("files/", views.file_list, name="files"),
    path("files/new/", views.file_new, name="file_new"),
    path("files/<int:pk>/", views.file_detail, name="file"),
    path("files/<int:pk>/lift/", views.file_lift, name="file_lift"),
    path("files/<int:pk>/review/", views.file_review, name="file_review"),
    path("batches/new/", views.batch_new, name="batch_new"),
    path("batches/<int:pk>/", views.batch_detail, name="batch"),
]
