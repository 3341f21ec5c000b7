from stores.admin import counts, delivery, inventory, items

__all__ = ["counts", "delivery", "inventory", "items"]
