"""Cashier desk rules: tenders, cash back, distribution, statuses, drawer, event balance.

Plain values and functions with no database or HTTP in them; the services around them
load the account's data, call these rules and store the outcome.
"""
