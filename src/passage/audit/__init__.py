"""The hash-chained audit log: who did what to which record, when — never the content."""
