"""A member's PDF report: cover, headline table, charts with their tables and the next-level
descriptors, made by a job and kept in the shared file storage."""
