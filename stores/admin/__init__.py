from stores.admin import counts, items

__all__ = ["counts", "items"]
