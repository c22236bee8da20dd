"""Case management: clients under pseudonyms, facts, route plans, letters, tasks, incidents."""
