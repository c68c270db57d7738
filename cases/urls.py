from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("file/", views.case_file, name="file"),
    path("register/", views.case_register, name="register"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/documents/<str:kind>.docx", views.case_document, name="document"),
    path("<int:pk>/<str:action>/", views.case_action, name="action"),
]
