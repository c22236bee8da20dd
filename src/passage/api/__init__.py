"""The JSON API under /api/v1/ for staff tools, with personal tokens."""
