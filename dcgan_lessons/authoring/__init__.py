"""For the course's authors: `build` turns the solution notebooks into the learner versions, and
`colab` stamps the install cell and Colab badge and builds the offline wheel.
"""

from ..course.lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(
    __name__,
    {
        "build": ("BuildError", "learner_notebook"),
        "colab": (
            "CourseAddress",
            "build_wheel",
        ),
    },
)
