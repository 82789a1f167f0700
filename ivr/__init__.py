"""The voice menu as a pure state machine: step(state, event) -> (state, actions), no I/O."""
