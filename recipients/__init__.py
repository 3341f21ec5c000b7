"""Recipient families, their needs assessments and consent records."""
