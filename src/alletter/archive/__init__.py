"""Many letters → an output directory: the parallel pool, the build state, the manifest, index and pack."""
