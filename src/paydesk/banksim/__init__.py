"""Bank simulator: the paying banks' web banking and the interbank notification feed.

A separate process (``paydesk banksim``) for demos and tests. Payers pick a bank and pay an RF
code; the simulator asks paydesk's code inquiry first, refuses what paydesk would refuse, and
publishes every accepted payment as a camt.054 notification on a feed (optionally pushed).
"""
