"""Training, commendation and capacity grants for volunteers, and the community activities they run."""
