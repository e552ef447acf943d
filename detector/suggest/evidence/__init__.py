"""What the ranker reads of a candidate: collocation counts, the spinner's channel, the story's topic, all from the suggestion index."""
