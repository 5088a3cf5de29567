"""Routes: filled in by the outreach work."""
