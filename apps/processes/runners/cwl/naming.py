"""The names cwltool gives a run's workflows, steps and jobs, made unique within the run.

cwltool numbers a name already given (`uniquename`), checking it against one set kept for
the whole process, `cwltool.process._names`: the second run of a workflow in a worker
would log its steps as `add_2` instead of `add`. That set is replaced by one which, while
a run is under way in the current thread, holds the names of that run only; outside a
run it behaves as cwltool's own.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import cwltool.process

_names_of_the_run: ContextVar[set[str] | None] = ContextVar("cwl_names_of_the_run", default=None)


class NamesPerRun(set[str]):
    """cwltool's set of names taken, which is the current run's own while one is under way."""

    def __contains__(self, name: object) -> bool:
        names = _names_of_the_run.get()
        return super().__contains__(name) if names is None else name in names

    def add(self, name: str) -> None:
        names = _names_of_the_run.get()
        if names is None:
            super().add(name)
        else:
            names.add(name)


cwltool.process._names = NamesPerRun(cwltool.process._names)


@contextmanager
def names_of_a_new_run() -> Iterator[None]:
    """Within it, cwltool names workflows, steps and jobs as if nothing had run before."""
    token = _names_of_the_run.set(set())
    try:
        yield
    finally:
        _names_of_the_run.reset(token)
