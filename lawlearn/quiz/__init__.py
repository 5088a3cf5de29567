"""Quiz: the question bank, quizzes, attempts, grading, results."""

from flask import Blueprint

from lawlearn.accounts.models import Role
from lawlearn.security import protect_blueprint

quiz_bp = Blueprint("quiz", __name__, template_folder="templates")
quiz_admin_bp = Blueprint("quiz_admin", __name__, url_prefix="/admin/quiz",
                          template_folder="templates")
protect_blueprint(quiz_admin_bp, Role.ADMIN)

from lawlearn.quiz import (  # noqa: E402,F401  (routes)
    admin_views,
    department_views,
    import_views,
    results_views,
    views,
    wrongbook,
    wrongbook_views,
)

__all__ = ["quiz_admin_bp", "quiz_bp"]
