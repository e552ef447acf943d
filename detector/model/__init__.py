"""The fine-tuned span classifier: features, network, training, shipped weights, inference."""
