"""Volunteers, groups, mutual-assistance centres, the time bank and the public service market."""
