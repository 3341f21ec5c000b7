"""The coded-item store: warehouses, Yicang stops, items and their history, delivery plans, inventory checks."""
