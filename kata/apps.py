from django.apps import AppConfig


class KataConfig(AppConfig):
    name = "kata"
    verbose_name = "Kata"
