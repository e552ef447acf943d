"""What re-ranks a finding's candidates by reading them in their sentence: the trained ranker, the span classifier and the optional SmolLM2 language model."""
