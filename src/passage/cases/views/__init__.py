"""Staff pages of the cases app, one module per concern; every view declares its policy."""
