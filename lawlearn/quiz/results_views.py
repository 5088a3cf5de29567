"""Routes of this module are added in this issue."""
