from stores.admin import items

__all__ = ["items"]
