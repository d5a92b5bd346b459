"""Which flow runs which kind of review.

The transition service (``workflows.services``) finds a running review's flow from its process
(``process.flow_class``) and a new review's flow here, so it never imports ``workflows.flows``; the flows
module imports the task views, which call the service: the imports run one way.  Flows register themselves
when ``workflows.flows`` is imported (``WorkflowsConfig.ready``).
"""

from __future__ import annotations

_FLOWS: dict[str, type] = {}


def register(kind: str):
    """Class decorator: ``flow_class`` runs reviews of ``kind``."""

    def decorate(flow_class):
        _FLOWS[kind] = flow_class
        return flow_class

    return decorate


def flow_for(kind: str):
    """The flow class for reviews of ``kind`` (KeyError when none is registered)."""
    return _FLOWS[kind]


def registered_kinds() -> tuple[str, ...]:
    return tuple(_FLOWS)
