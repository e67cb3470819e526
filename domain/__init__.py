"""The mentoring journal's pure model: events, the journal aggregate, its rules and errors."""
