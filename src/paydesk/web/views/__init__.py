"""Web page handlers, one module per area."""
