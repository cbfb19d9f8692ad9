from django.apps import AppConfig


class BoardsConfig(AppConfig):
    name = "boards"
    verbose_name = "Teams and storyboards"

    def ready(self) -> None:
        from boards import sections  # noqa: F401  (connects the cache's signals)
