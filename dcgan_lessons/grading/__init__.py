"""The instructor's grader: read the submissions, run each in its own guarded kernel, call the
learner's functions there and judge the replies here, write the gradebook; also the nbgrader export and
the learner's own `show_score`. The top layer, with the widgets.
"""

from ..course.lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(
    __name__,
    {
        "grader": (
            "grade",
            "grade_submissions",
            "print_progress",
        ),
        "results": (
            "ExerciseGrade",
            "SubmissionGrade",
        ),
        "gradebook": ("write_results",),
        "submissions": (
            "Submission",
            "read_submissions",
        ),
        "kernel_run": ("Limits",),
        "nbgrader_export": ("export_nbgrader",),
        "score": ("show_score",),
    },
)
