"""Read-only figures for the back office: collections by day, channel and bank, and the work
waiting for a person. Queries only; nothing here writes."""
