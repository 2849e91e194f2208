"""Announcements, from a draft an admin checks to emails in the outbox.

drafts: write and edit; audience: who it reaches; preview: the email as one recipient gets
it; trial: a test send to the admin; sending: confirm, queue, send when due, cancel;
progress: what became of its emails. The admin pages, the API and the clock call these.
"""
