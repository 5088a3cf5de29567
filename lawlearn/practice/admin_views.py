"""Routes: filled in by the practice work."""
