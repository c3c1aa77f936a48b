"""Bad-input corpus: every malformed input the tap or the target can be handed."""
