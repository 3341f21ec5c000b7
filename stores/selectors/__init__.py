"""Reads of the store: public.py for what anyone sees (traces, publicity), delivery.py for delivery plans."""
