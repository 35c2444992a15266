"""Accounts: people, their roles in departments, sign-in, invitations."""
