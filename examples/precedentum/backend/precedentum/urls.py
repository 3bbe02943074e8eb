from django.contrib import admin
from django.urls import include, path

from judges import views

urlpatterns = [
    path("admin/", admin.site.urls),
    # Login, logout, password change and the password-set link of onboarding (/accounts/reset/<uid>/<token>/).
    path("accounts/", include("django.contrib.auth.urls")),
    path("accounts/judges/", views.judge_page, name="judge-page"),
    # The team's files: uploaded through the browser, kept in the deployment's bucket, read back through here.
    path("accounts/files/", views.files_page, name="files-page"),
    path("accounts/files/<str:name>", views.file_download, name="file-download"),
    path("api/judges/", views.judge_list, name="judge-list"),
    path("api/me/", views.me, name="me"),
]
