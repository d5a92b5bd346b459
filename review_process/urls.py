from django.urls import path

from review_process import views

app_name = "review_process"

urlpatterns = [
    path("", views.home, name="home"),
    path("reviews/<int:pk>/", views.review_detail, name="review-detail"),
]
