"""The drafter's loop: a new case, watch it rebuild, redline two versions."""
