"""Compassion families, assistant enterprises and media partners."""
