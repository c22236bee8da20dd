from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "passage.web"
    label = "web"

    def ready(self) -> None:
        from passage.web.allocator import keep_large_blocks_in_heap

        keep_large_blocks_in_heap()
