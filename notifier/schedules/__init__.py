"""Where an update becomes deliveries: immediate sends, digests, reminders, announcements."""
