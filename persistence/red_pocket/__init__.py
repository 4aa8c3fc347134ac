"""The red-pocket game's secret words, read from a JSON file at start-up."""
