"""Repositories: the SQL for each area, behind plain methods that take and return domain objects."""
