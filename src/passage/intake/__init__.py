"""The anonymous intake portal: codenames, questionnaire, encrypted on arrival, two-way messages."""
