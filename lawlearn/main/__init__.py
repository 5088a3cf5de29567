"""The staff side's home and its bottom-navigation tabs."""

from flask import Blueprint

main_bp = Blueprint("main", __name__, template_folder="templates")

from lawlearn.main import views  # noqa: E402,F401  (routes)

__all__ = ["main_bp"]
