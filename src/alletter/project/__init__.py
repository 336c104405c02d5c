"""What every letter shares, read once: the project's files, their loader, the case schema, the mandate registry and the wording."""
