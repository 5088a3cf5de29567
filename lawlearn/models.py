"""Every domain's models, imported so that Alembic and the shell see them all."""

from lawlearn.accounts.models import (
    ApiToken,
    AuditEntry,
    Department,
    LoginFailure,
    Role,
    User,
    UserRole,
)
from lawlearn.library import search as _library_search  # noqa: F401  (search index DDL)
from lawlearn.library.models import (
    ArticleBookmark,
    ArticleNote,
    ArticleStudy,
    CollectionEntry,
    Law,
    LawArticle,
    LawDivision,
    Material,
    MaterialArticle,
    MaterialAttachment,
    MaterialCollection,
    MaterialRead,
)
from lawlearn.outreach.models import (
    Campaign,
    OutreachCategory,
    OutreachEvent,
    OutreachEventLaw,
    OutreachMaterial,
    OutreachPhoto,
    StallQuiz,
    StallQuizEntry,
)
from lawlearn.plans.models import (
    Notice,
    Plan,
    PlanAudience,
    PlanItem,
    PlanItemProgress,
    PlanStage,
    Reflection,
)
from lawlearn.practice.models import (
    ChallengeAnswer,
    ChallengeRun,
    DailySet,
    DailySetItem,
    PointAward,
    PointRule,
    PracticeCard,
    TimingFlag,
)
from lawlearn.quiz.models import (
    Attempt,
    AttemptItem,
    Question,
    QuestionRevision,
    Quiz,
    QuizAudience,
    QuizQuestion,
    QuizRule,
    WrongAnswer,
)
from lawlearn.sessions.models import (
    Attendance,
    LeaveRequest,
    SessionAudience,
    SessionKind,
    SessionLink,
    StudySession,
)
from lawlearn.settings import SiteSetting
from lawlearn.submissions import FormSubmission

__all__ = [
    "ApiToken", "LoginFailure", "ArticleBookmark", "ArticleNote", "ArticleStudy", "AuditEntry",
    "CollectionEntry", "Department", "Law", "LawArticle", "LawDivision", "Material",
    "MaterialArticle", "MaterialAttachment", "MaterialCollection", "Role", "User", "UserRole",
    "Attempt", "AttemptItem", "Question", "QuestionRevision", "Quiz", "QuizAudience",
    "QuizQuestion", "QuizRule", "Attendance", "LeaveRequest", "SessionAudience", "SessionKind",
    "SessionLink", "StudySession", "WrongAnswer", "ChallengeAnswer", "ChallengeRun", "DailySet",
    "DailySetItem", "PointAward", "PointRule", "PracticeCard", "TimingFlag", "SiteSetting",
    "MaterialRead",
    "Notice", "Plan", "PlanAudience", "PlanItem", "PlanItemProgress", "PlanStage", "Reflection",
    "Campaign", "OutreachCategory", "OutreachEvent", "OutreachEventLaw", "OutreachMaterial",
    "OutreachPhoto", "StallQuiz", "StallQuizEntry", "FormSubmission",
]
