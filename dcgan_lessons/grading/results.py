"""What grading produces: one `ExerciseGrade` per exercise, gathered in one `SubmissionGrade` per notebook.

Its own module so that the grader (which makes them) and the gradebook (which writes them out) both
import it, and neither has to import the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..course.checking import CheckResult, Exercise
from .submissions import Submission


@dataclass
class ExerciseGrade:
    """One exercise's grade: the points earned, and the check result or the reason there is none."""

    exercise: Exercise
    result: CheckResult | None = None
    reason: str | None = None  # why the function was not graded (missing, not the learner's own, ...)

    @property
    def score(self) -> float:
        return self.result.score if self.result is not None else 0.0


@dataclass
class SubmissionGrade:
    submission: Submission
    exercises: list[ExerciseGrade] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # how the notebook ran: errors, limits, restarts
    seconds: float = 0.0

    @property
    def total(self) -> float:
        return sum(grade.score for grade in self.exercises)

    @property
    def max_points(self) -> float:
        return sum(grade.exercise.points for grade in self.exercises)
