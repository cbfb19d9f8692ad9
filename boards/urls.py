from django.urls import path

from boards import views

app_name = "boards"

urlpatterns = [
    path("teams/<slug:slug>/", views.team, name="team"),
    path("boards/<int:pk>/", views.storyboard, name="storyboard"),
]
