"""Where an outbox row becomes bytes on an SMTP connection, exactly once."""
