"""Background work: the procrastinate job queue, deferral inside a request's transaction,
and the periodic schedule (DESIGN 1 and 2)."""
