"""What the business bills: invoices, repair orders, counter invoices, vehicle orders."""
