"""Routes: filled in by the plans work."""
