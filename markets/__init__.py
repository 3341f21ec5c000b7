"""Charitable markets and charitable lattice shops with their funds."""
