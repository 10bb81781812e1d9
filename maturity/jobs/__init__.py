"""Background work: the queue (RQ on Redis, or in-process), job records with progress."""
