"""Staff accounts: creating and inviting them, passwords, two-factor codes, and slowing
guesses. Plain functions over the database; no routes (the pages are in `consult.staff`)."""
