"""The red-pocket game's sample secret words (secret_words.json), shipped for development."""
