"""Outbound webhooks: signed event deliveries to the host system, retried with back-off."""
