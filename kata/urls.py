from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from kata import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/export.csv", views.dashboard_export, name="dashboard_export"),
    path("teams/<slug:slug>/practice/", views.team_practice, name="team_practice"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("boards.urls")),
    path("", include("coaching.urls")),
    path("admin/", admin.site.urls),
]
handler500 = "kata.views.server_error"
