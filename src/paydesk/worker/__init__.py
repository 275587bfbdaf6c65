"""Background work: a job queue in the database and the worker that runs it."""
