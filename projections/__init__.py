"""Read models built from the journal's events: entry filters, the timeline, aspirations against
progress, summaries, the report page, and the programme's aggregates."""
