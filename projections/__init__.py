"""Read models built from the journal's events: filtered entry lists now, timelines later."""
