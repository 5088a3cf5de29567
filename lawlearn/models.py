"""Every domain's models, imported so that Alembic and the shell see them all."""

from lawlearn.accounts.models import ApiToken, AuditEntry, Department, Role, User, UserRole

__all__ = ["ApiToken", "AuditEntry", "Department", "Role", "User", "UserRole"]
