"""Check that the task flow and the review's state machine describe the same procedure.

Walks every path of a flow from its start with the FSM's initial state, replaying on the FSM the
transition(s) each human task runs.  It reports:
  * a task whose transition is not allowed from the state the path has reached;
  * a task that does not offer exactly the FSM's transitions out of that state (``cancel`` aside:
    it ends the process from any stage rather than being a task);
  * an If gateway that routes a state to a task that cannot run from it (it is evaluated for real);
  * an end reached in a state that is not final;
  * FSM transitions or states that no path of the flow reaches.
"""

from __future__ import annotations

from types import SimpleNamespace

from viewflow.workflow import nodes as vf_nodes

from review_process.machine import OUT_OF_FLOW
from review_process.models import TRANSITION_NAMES, Review, ReviewState

FINAL_STATES = {ReviewState.CLOSED}


def fsm_targets(state: str) -> dict[str, str]:
    """The FSM's transitions out of ``state`` (name -> target), cancel excluded."""
    result = {}
    for name in TRANSITION_NAMES:
        if name in OUT_OF_FLOW:
            continue
        transition = getattr(Review, name)._django_fsm.get_transition(state)
        if transition is not None:
            result[name] = transition.target
    return result


def _fake_activation(state: str):
    review = SimpleNamespace(state=state)
    return SimpleNamespace(process=SimpleNamespace(coerced=SimpleNamespace(review=review)))


def check_flow_against_fsm(flow_class, initial_state: str = ReviewState.DRAFT) -> list[str]:
    errors: list[str] = []
    seen: set[tuple[str, str]] = set()
    used_transitions: set[str] = set()
    reached_states: set[str] = {initial_state}
    start_nodes = [n for n in flow_class.instance.nodes() if isinstance(n, vf_nodes.StartHandle | vf_nodes.Start)]
    stack = [(n, initial_state, [n.name]) for n in start_nodes]

    while stack:
        node, state, path = stack.pop()
        if (node.name, state) in seen:
            continue
        seen.add((node.name, state))
        where = " → ".join(path)
        transitions = getattr(node, "transitions", None)

        if transitions is not None:
            allowed = fsm_targets(state)
            if set(transitions) != set(allowed):
                errors.append(
                    f"{node.name}: offers {sorted(transitions)} at state '{state}' but the FSM allows "
                    f"{sorted(allowed)} (path {where})"
                )
            for name in transitions:
                if name not in allowed:
                    continue
                used_transitions.add(name)
                target = allowed[name]
                reached_states.add(target)
                for edge in node._outgoing():
                    stack.append((edge.dst, target, [*path, f"{edge.dst.name}[{target}]"]))
        elif isinstance(node, vf_nodes.If):
            branch = node._on_true if node._condition(_fake_activation(state)) else node._on_false
            stack.append((branch, state, [*path, branch.name]))
        elif isinstance(node, vf_nodes.End):
            if state not in FINAL_STATES:
                errors.append(f"{node.name}: the flow ends while the review is at '{state}' (path {where})")
        else:
            for edge in node._outgoing():
                stack.append((edge.dst, state, [*path, edge.dst.name]))

    missing = set(TRANSITION_NAMES) - OUT_OF_FLOW - used_transitions
    if missing:
        errors.append(f"FSM transitions no task runs: {sorted(missing)}")
    unreached = {s.value for s in ReviewState} - reached_states - {ReviewState.CANCELLED}
    if unreached:
        errors.append(f"states no path of the flow reaches: {sorted(unreached)}")
    return errors
