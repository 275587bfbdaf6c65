"""paydesk: collect what customers owe — RF payment codes, bank notifications, cashier desk."""

__version__ = "0.1.0"
